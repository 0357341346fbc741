import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoHealthStore } from "../adapters/dynamo-health-store";
import { DynamoTenantStore } from "../adapters/dynamo-tenant-store";
import { EventBridgeEvents } from "../adapters/eventbridge-events";
import { realSleep, systemClock } from "../adapters/system";
import { loadEventsConfig, loadHealthConfig } from "../config";
import { AccountNotFoundError } from "../errors";
import { HealthSweep, HealthSweepChain } from "../services/health-sweep";
import { RoleVerifier } from "../services/role-verifier";
import {
  accessConfig,
  config,
  documentClient,
  listingIndex,
  metricsSink,
  once,
  principal,
} from "./common";

/** Composition root of the scheduled health checks. */
const healthConfig = /* @__PURE__ */ once(() => loadHealthConfig());

export const healthStore = /* @__PURE__ */ once(
  () =>
    new DynamoHealthStore(
      documentClient(),
      config().tableName,
      healthConfig().historySeconds,
      listingIndex(),
    ),
);

export const healthSweep = /* @__PURE__ */ once(() => {
  const store = healthStore();
  const tenants = new DynamoTenantStore(documentClient(), config().tableName);
  const events = new EventBridgeEvents(new EventBridgeClient({}), loadEventsConfig().busName);
  return new HealthSweep({
    metrics: metricsSink(),
    ports: {
      accounts: (cursor, limit) => store.accounts(cursor, limit),
      tenant: (tenantId) => tenants.get(tenantId),
      record: (account, health) => store.record(account, health),
      publish: (changes) => events.publishHealth(changes),
    },
    // The same verification as registration, without waiting for IAM propagation.
    verifier: new RoleVerifier({
      gateway: new AwsTenantRoleGateway(),
      clock: systemClock,
      sleep: realSleep,
      principal: principal(),
      retryBudgetMs: 0,
      negativeProbe: accessConfig().negativeProbe,
      defaultRegion: accessConfig().region,
    }),
    clock: systemClock,
    concurrency: healthConfig().concurrency,
    // Each check is one AssumeRole against the control plane account's STS quota, which the broker
    // shares: the sweep keeps to its own share.
    checksPerSecond: healthConfig().checksPerSecond,
    pageSize: 100,
    unhealthyAfter: healthConfig().unhealthyAfter,
  });
});

/** The sweep's chain of invocations: lease, totals, continuation and summary. */
export const healthSweepChain = /* @__PURE__ */ once(
  () =>
    new HealthSweepChain({
      sweep: healthSweep(),
      records: healthStore(),
      clock: systemClock,
      metrics: metricsSink(),
    }),
);

/** An account's health with its recent checks (GET .../health). */
export async function accountHealth(tenantId: string, accountId: string) {
  const account = await new DynamoAccountStore(documentClient(), config().tableName).get(
    tenantId,
    accountId,
  );
  if (!account) throw new AccountNotFoundError(accountId);
  const history = await healthStore().history(tenantId, accountId, 20);
  return {
    tenantId,
    accountId,
    status: account.status,
    ...(account.health ? { health: account.health } : {}),
    history,
  };
}
