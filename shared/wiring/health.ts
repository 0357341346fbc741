import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoHealthStore } from "../adapters/dynamo-health-store";
import { DynamoRateBudgetStore } from "../adapters/dynamo-rate-budget-store";
import { DynamoTableProbe } from "../adapters/dynamo-table-probe";
import { DynamoTenantStore } from "../adapters/dynamo-tenant-store";
import { EventBridgeEvents } from "../adapters/eventbridge-events";
import { LambdaAsyncInvoke } from "../adapters/lambda-async-invoke";
import { realSleep, systemClock } from "../adapters/system";
import { loadEventsConfig, loadHealthConfig } from "../config";
import { budgetBatch, budgetKeysOf } from "../domain/sweep-plan";
import { AccountNotFoundError } from "../errors";
import type { Clock } from "../ports/common";
import { HealthSweep, HealthSweepChain } from "../services/health-sweep";
import { RateBudget } from "../services/rate-budget";
import { Readiness } from "../services/readiness";
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

/** Health reads (GET .../health, the summary): no listing, so no cursor key. */
export const healthStore = /* @__PURE__ */ once(
  () => new DynamoHealthStore(documentClient(), config().tableName, healthConfig().historySeconds),
);

/** The sweep's store: it lists the accounts index, with the cursor key. */
const sweepStore = /* @__PURE__ */ once(
  () =>
    new DynamoHealthStore(
      documentClient(),
      config().tableName,
      healthConfig().historySeconds,
      listingIndex(),
    ),
);

/** The sweep as deployed; `clock`: another clock (tests of periods). */
export const healthSweepWith = (clock: Clock) => {
  const store = sweepStore();
  const tenants = new DynamoTenantStore(documentClient(), config().tableName);
  const events = new EventBridgeEvents(new EventBridgeClient({}), loadEventsConfig().busName);
  return new HealthSweep({
    metrics: metricsSink(),
    ports: {
      accounts: (cursor, limit, shards) => store.accounts(cursor, limit, shards),
      tenant: (tenantId) => tenants.get(tenantId),
      record: (account, health, externalId, notCheckedSince) =>
        store.record(account, health, externalId, notCheckedSince),
      publish: (changes) => events.publishHealth(changes),
    },
    // The same verification as registration, without waiting for IAM propagation.
    verifier: new RoleVerifier({
      gateway: new AwsTenantRoleGateway(),
      clock,
      sleep: realSleep,
      principal: principal(),
      retryBudgetMs: 0,
      negativeProbe: accessConfig().negativeProbe,
      defaultRegion: accessConfig().region,
    }),
    clock,
    concurrency: healthConfig().concurrency,
    // Paced by the sweep's AssumeRole budget in the table (sweepBudget, below).
    pageSize: 100,
    unhealthyAfter: healthConfig().unhealthyAfter,
  });
};

export const healthSweep = /* @__PURE__ */ once(() => healthSweepWith(systemClock));

/**
 * The sweep's runs, workers and budget. Each check is one AssumeRole against the control plane
 * account's STS quota (two with the negative probe), which the broker shares: all the workers
 * together keep to the sweep's share, SWEEP_ASSUME_ROLE_PER_SECOND.
 */
export const healthSweepChainWith = (clock: Clock) => {
  const health = healthConfig();
  const plan = {
    periodMinutes: health.periodMinutes,
    workers: health.workers,
    assumeRolePerSecond: health.assumeRolePerSecond,
    budgetShards: health.budgetShards,
  };
  const budgetStore = new DynamoRateBudgetStore(documentClient(), config().tableName);
  // A key's whole share of a slot per claim: the fewest writes.
  const batch = budgetBatch(plan.assumeRolePerSecond, plan.budgetShards);
  return new HealthSweepChain({
    sweep: clock === systemClock ? healthSweep() : healthSweepWith(clock),
    records: sweepStore(),
    clock,
    plan,
    shards: listingIndex().shards,
    callsPerCheck: accessConfig().negativeProbe ? 2 : 1,
    budget: (worker, workers) =>
      new RateBudget({
        store: budgetStore,
        // Budget slots are real seconds, whatever clock the run keeps.
        clock: systemClock,
        sleep: realSleep,
        ratePerSecond: plan.assumeRolePerSecond,
        budgetShards: plan.budgetShards,
        batch,
        keys: budgetKeysOf(worker, workers, plan.budgetShards),
      }),
    metrics: metricsSink(),
  });
};

export const healthSweepChain = /* @__PURE__ */ once(() => healthSweepChainWith(systemClock));

/** The next link of a sweep worker's chain: the sweep function, invoked asynchronously. */
const lambdaClient = /* @__PURE__ */ once(() => new LambdaClient({}));
export const sweepContinuation = (functionArn: string) =>
  new LambdaAsyncInvoke(lambdaClient(), functionArn);

/** GET /v1/health: the table's status, a ready answer reused for 10 s per container. */
export const readiness = /* @__PURE__ */ once(
  () =>
    new Readiness({
      probe: new DynamoTableProbe(documentClient(), config().tableName),
      clock: systemClock,
      cacheMs: 10_000,
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
