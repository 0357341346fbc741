import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AwsOrganizationGateway } from "../adapters/aws-organization-gateway";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoOrganizationStore } from "../adapters/dynamo-organization-store";
import { EventBridgeEvents, ORGANIZATION_DETAIL_TYPE } from "../adapters/eventbridge-events";
import { sdkRegionCatalog } from "../adapters/sdk-region-catalog";
import { realSleep, systemClock } from "../adapters/system";
import { loadEventsConfig, loadOrganizationConfig } from "../config";
import { partitionOfRegion } from "../domain/arn";
import { AccountService } from "../services/account-service";
import { OrganizationService } from "../services/organization-service";
import { RoleVerifier } from "../services/role-verifier";
import {
  accessConfig,
  auditTrail,
  config,
  documentClient,
  once,
  principal,
  tenantService,
} from "./common";

/** Composition root of the organization functions (connect, read, disconnect, scheduled sync). */
export const organizationService = /* @__PURE__ */ once(() => {
  const gateway = new AwsTenantRoleGateway();
  const access = accessConfig();
  const accounts = new DynamoAccountStore(documentClient(), config().tableName);
  const verifier = (retryBudgetMs: number) =>
    new RoleVerifier({
      gateway,
      clock: systemClock,
      sleep: realSleep,
      principal: principal(),
      retryBudgetMs,
      negativeProbe: access.negativeProbe,
      defaultRegion: access.region,
    });
  const events = new EventBridgeEvents(new EventBridgeClient({}), loadEventsConfig().busName);
  return new OrganizationService({
    organizations: new DynamoOrganizationStore(documentClient(), config().tableName),
    accounts,
    // Members are registered without waiting for IAM propagation: a member whose role is not
    // there yet is reported as failed, and the next sync registers it.
    members: new AccountService({
      accounts,
      tenants: tenantService(),
      verifier: verifier(0),
      trail: auditTrail(),
      clock: systemClock,
      partition: access.partition,
      controlPlaneAccountId: access.controlPlaneAccountId,
      regions: sdkRegionCatalog,
    }),
    trail: auditTrail(),
    tenants: tenantService(),
    verifier: verifier(access.verifyRetryBudgetMs),
    gateway,
    organizationsApi: new AwsOrganizationGateway(partitionOfRegion(access.region), access.region),
    publish: (changes) =>
      events.publish(
        ORGANIZATION_DETAIL_TYPE,
        changes.map(({ at, ...detail }) => ({ at, detail: { ...detail, at } })),
      ),
    clock: systemClock,
    concurrency: loadOrganizationConfig().concurrency,
    partition: access.partition,
    region: access.region,
  });
});

/** How long POST .../organizations registers members before it answers (API Gateway: 29 s). */
export const CONNECT_BUDGET_MS = 20_000;
