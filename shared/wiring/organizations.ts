import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AwsOrganizationGateway } from "../adapters/aws-organization-gateway";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoOrganizationJobRecords } from "../adapters/dynamo-organization-job-records";
import { DynamoOrganizationJobStore } from "../adapters/dynamo-organization-job-store";
import {
  DynamoOrganizationRecords,
  DynamoOrganizationStore,
} from "../adapters/dynamo-organization-store";
import { EventBridgeEvents, ORGANIZATION_DETAIL_TYPE } from "../adapters/eventbridge-events";
import { LambdaAsyncInvoke } from "../adapters/lambda-async-invoke";
import { sdkRegionCatalog } from "../adapters/sdk-region-catalog";
import { cryptoRandom, realSleep, systemClock } from "../adapters/system";
import { loadEventsConfig, loadOrganizationConfig } from "../config";
import { AccountService } from "../services/account-service";
import { OrganizationJobs } from "../services/organization-job";
import { OrganizationJobStarter, OrganizationSchedule } from "../services/organization-job-starter";
import { OrganizationReader } from "../services/organization-reader";
import { OrganizationRecords } from "../services/organization-records";
import { OrganizationService } from "../services/organization-service";
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

/** Composition root of the organization functions (connect, read, disconnect, the job, the schedule). */
const organizationConfig = /* @__PURE__ */ once(() => loadOrganizationConfig());

/** The AWS side of connect and the job: they assume the management role and list the organization. */
const awsSide = () => {
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
  return {
    gateway,
    verifier: verifier(access.verifyRetryBudgetMs),
    memberVerifier: verifier(0),
    // One attempt a call: the walk paces the calls and backs off when throttled itself.
    organizationsApi: new AwsOrganizationGateway(access.partition, access.region, {
      maxAttempts: 1,
    }),
  };
};

/** Registration of member accounts, as any account's (the lifecycle table, the audit trail). */
const memberRegistration = (
  accounts: DynamoAccountStore,
  verifier: ReturnType<typeof awsSide>["memberVerifier"],
) => {
  const access = accessConfig();
  return new AccountService({
    metrics: metricsSink(),
    accounts,
    tenants: tenantLookup(),
    verifier,
    trail: auditTrail(),
    clock: systemClock,
    partition: access.partition,
    controlPlaneAccountId: access.controlPlaneAccountId,
    regions: sdkRegionCatalog,
  });
};

const jobStore = () => new DynamoOrganizationJobStore(documentClient(), config().tableName);

/** The job function: a link of a connect or sync job. */
export const organizationJobs = /* @__PURE__ */ once(() => {
  const access = accessConfig();
  const aws = awsSide();
  const accounts = new DynamoAccountStore(documentClient(), config().tableName);
  const events = new EventBridgeEvents(new EventBridgeClient({}), loadEventsConfig().busName);
  return new OrganizationJobs({
    metrics: metricsSink(),
    jobs: jobStore(),
    organizations: new DynamoOrganizationRecords(documentClient(), config().tableName),
    accounts,
    // Members are registered without waiting for IAM propagation: a member whose role is not
    // there yet is reported as failed, and the next sync registers it.
    members: memberRegistration(accounts, aws.memberVerifier),
    trail: auditTrail(),
    tenants: tenantLookup(),
    gateway: aws.gateway,
    pages: aws.organizationsApi,
    publish: (changes) =>
      events.publish(
        ORGANIZATION_DETAIL_TYPE,
        changes.map(({ at, ...detail }) => ({ at, detail: { ...detail, at } })),
      ),
    clock: systemClock,
    sleep: realSleep,
    random: cryptoRandom,
    concurrency: organizationConfig().concurrency,
    callsPerSecond: organizationConfig().callsPerSecond,
    partition: access.partition,
    region: access.region,
  });
});

/** The schedule: lists the connected organizations (with the cursor key), starts and resumes their jobs. */
export const organizationSchedule = /* @__PURE__ */ once(
  () =>
    new OrganizationSchedule({
      organizations: new DynamoOrganizationStore(
        documentClient(),
        config().tableName,
        listingIndex(),
      ),
      jobs: jobStore(),
      clock: systemClock,
      random: cryptoRandom,
      metrics: metricsSink(),
      periodMinutes: organizationConfig().syncPeriodMinutes,
    }),
);

/** How a job's links are invoked: the job function, asynchronously. */
export const organizationJobLauncher = /* @__PURE__ */ once(
  () =>
    new LambdaAsyncInvoke(
      new LambdaClient({}),
      organizationConfig().jobFunction ||
        `${process.env.SERVICE_NAME ?? "cross-account-control-plane"}-organizationJob`,
    ),
);

/** Connect: verifies and describes while the caller waits, then starts the CONNECT job. */
export const organizationService = /* @__PURE__ */ once(() => {
  const access = accessConfig();
  const aws = awsSide();
  return new OrganizationService({
    organizations: new DynamoOrganizationRecords(documentClient(), config().tableName),
    // For parseRole only: the management role's ARN checked as any account's.
    members: memberRegistration(
      new DynamoAccountStore(documentClient(), config().tableName),
      aws.memberVerifier,
    ),
    trail: auditTrail(),
    tenants: tenantLookup(),
    verifier: aws.verifier,
    gateway: aws.gateway,
    organizationsApi: aws.organizationsApi,
    jobs: new OrganizationJobStarter({
      jobs: jobStore(),
      clock: systemClock,
      random: cryptoRandom,
      metrics: metricsSink(),
    }),
    launcher: organizationJobLauncher(),
    clock: systemClock,
    region: access.region,
  });
});

/** GET .../organizations: the connection and its job, two GetItems. */
export const organizationReader = /* @__PURE__ */ once(
  () =>
    new OrganizationReader({
      organizations: new DynamoOrganizationRecords(documentClient(), config().tableName),
      jobs: new DynamoOrganizationJobRecords(documentClient(), config().tableName),
      tenants: tenantLookup(),
    }),
);

/** Read and disconnect: DynamoDB only, so their bundles carry no STS, Organizations or EventBridge client. */
export const organizationRecords = /* @__PURE__ */ once(
  () =>
    new OrganizationRecords({
      organizations: new DynamoOrganizationRecords(documentClient(), config().tableName),
      jobs: new DynamoOrganizationJobRecords(documentClient(), config().tableName),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantLookup(),
      trail: auditTrail(),
      clock: systemClock,
    }),
);
