import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AwsOrganizationGateway } from "../adapters/aws-organization-gateway";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import {
  DynamoOrganizationRecords,
  DynamoOrganizationStore,
} from "../adapters/dynamo-organization-store";
import { EventBridgeEvents, ORGANIZATION_DETAIL_TYPE } from "../adapters/eventbridge-events";
import { sdkRegionCatalog } from "../adapters/sdk-region-catalog";
import type { ShardedIndexOptions } from "../adapters/sharded-index";
import { realSleep, systemClock } from "../adapters/system";
import { loadEventsConfig, loadOrganizationConfig } from "../config";
import { AccountService } from "../services/account-service";
import { OrganizationRecords } from "../services/organization-records";
import {
  OrganizationService,
  type OrganizationServiceDeps,
} from "../services/organization-service";
import { RoleVerifier } from "../services/role-verifier";
import {
  accessConfig,
  auditTrail,
  config,
  documentClient,
  listingIndex,
  metricsSink,
  once,
  principal,
  tenantLookup,
} from "./common";

/** Composition root of the organization functions (connect, read, disconnect, scheduled sync). */
type AwsSide = Pick<
  OrganizationServiceDeps,
  "gateway" | "organizationsApi" | "verifier" | "publish"
> & { memberVerifier: OrganizationServiceDeps["verifier"] };

/** `index`: with the cursor key for the sync, which lists the organizations. */
const organizationServiceWith = (aws: AwsSide, index?: ShardedIndexOptions) => {
  const access = accessConfig();
  const accounts = new DynamoAccountStore(documentClient(), config().tableName);
  return new OrganizationService({
    metrics: metricsSink(),
    organizations: new DynamoOrganizationStore(documentClient(), config().tableName, index),
    accounts,
    // Members are registered without waiting for IAM propagation: a member whose role is not
    // there yet is reported as failed, and the next sync registers it.
    members: new AccountService({
      metrics: metricsSink(),
      accounts,
      tenants: tenantLookup(),
      verifier: aws.memberVerifier,
      trail: auditTrail(),
      clock: systemClock,
      partition: access.partition,
      controlPlaneAccountId: access.controlPlaneAccountId,
      regions: sdkRegionCatalog,
    }),
    trail: auditTrail(),
    tenants: tenantLookup(),
    verifier: aws.verifier,
    gateway: aws.gateway,
    organizationsApi: aws.organizationsApi,
    publish: aws.publish,
    clock: systemClock,
    concurrency: loadOrganizationConfig().concurrency,
    partition: access.partition,
    region: access.region,
  });
};

/** The AWS side of connect and the sync: they assume the management role and list the organization. */
const awsSide = (): AwsSide => {
  const gateway = new AwsTenantRoleGateway();
  const access = accessConfig();
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
  return {
    gateway,
    verifier: verifier(access.verifyRetryBudgetMs),
    memberVerifier: verifier(0),
    organizationsApi: new AwsOrganizationGateway(access.partition, access.region),
    publish: (changes) =>
      events.publish(
        ORGANIZATION_DETAIL_TYPE,
        changes.map(({ at, ...detail }) => ({ at, detail: { ...detail, at } })),
      ),
  };
};

/** Connect (and what it shares with the sync). */
export const organizationService = /* @__PURE__ */ once(() => organizationServiceWith(awsSide()));

/** The scheduled sync: the same service, able to list the connected organizations. */
export const organizationSync = /* @__PURE__ */ once(() =>
  organizationServiceWith(awsSide(), listingIndex()),
);

/** Read and disconnect: DynamoDB only, so their bundles carry no STS, Organizations or EventBridge client. */
export const organizationRecords = /* @__PURE__ */ once(
  () =>
    new OrganizationRecords({
      organizations: new DynamoOrganizationRecords(documentClient(), config().tableName),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantLookup(),
      trail: auditTrail(),
    }),
);

/** How long POST .../organizations registers members before it answers (API Gateway: 29 s). */
export const CONNECT_BUDGET_MS = 20_000;
