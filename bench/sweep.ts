/**
 * One health sweep against stubs, fanned out as in AWS, run in its own process so its peak memory
 * is its own:
 *   node --import tsx bench/sweep.ts '{"accounts":10000,"budget":600,"workers":4,"concurrency":64,"latencyMs":50}'
 * Prints one JSON line.
 *
 * What is real: HealthSweep over each worker's shards of the sharded accounts index
 * (workerShards), RateBudget with DynamoRateBudgetStore (one AssumeRole budget per second for all
 * workers, in time slots), RoleVerifier (trust-policy lint included), DynamoHealthStore and
 * DynamoTenantStore with their DynamoDB commands. All workers run in this one process, so its
 * peak memory bounds each worker's. What is stubbed:
 *  - DynamoDB, at the document client's `send`: the accounts index answers shard by shard, page by
 *    page, generating the items of each page on demand; the budget's counters are kept; writes
 *    succeed. Zero latency.
 *  - STS and IAM, at the TenantRoleGateway seam: one check costs `latencyMs` on its critical path,
 *    AssumeRole (latencyMs/2), then GetCallerIdentity and GetRole in parallel (latencyMs/2 each).
 *    AssumeRole takes a token from a bucket of `stsRate` per second (burst: a tenth of a second's
 *    worth); an empty bucket answers Throttling, as STS does. GetCallerIdentity and GetRole run as
 *    the tenant's session, against the tenant account's quotas, not the control plane's.
 */
import { performance } from "node:perf_hooks";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { DynamoHealthStore } from "../shared/adapters/dynamo-health-store";
import { DynamoRateBudgetStore } from "../shared/adapters/dynamo-rate-budget-store";
import { DynamoTenantStore } from "../shared/adapters/dynamo-tenant-store";
import {
  accountIndexSortKey,
  listingOptions,
  shardOf,
  shardPartition,
  staticCursorKey,
} from "../shared/adapters/sharded-index";
import { realSleep, systemClock } from "../shared/adapters/system";
import { keys, TABLE_KEYS } from "../shared/adapters/table";
import { RoleAccessError } from "../shared/domain/errors";
import { budgetBatch, budgetKeysOf, workerShards } from "../shared/domain/sweep-plan";
import type { AwsCredentials, TenantRoleGateway } from "../shared/ports/accounts";
import { HealthSweep } from "../shared/services/health-sweep";
import { RateBudget } from "../shared/services/rate-budget";
import { RoleVerifier } from "../shared/services/role-verifier";
import { trustPolicy } from "../test/support/tenant-account";

const opts = JSON.parse(process.argv[2] ?? "{}") as {
  accounts: number;
  /** The sweep's AssumeRole budget per second (SWEEP_ASSUME_ROLE_PER_SECOND). */
  budget: number;
  /** STS's own rate for the control plane account (default: the budget's 1.5 times). */
  stsRate?: number;
  workers: number;
  /** Checks in flight per worker (HEALTH_CONCURRENCY). */
  concurrency: number;
  latencyMs: number;
  tenants?: number;
};
const SHARDS = 16;
const BUDGET_SHARDS = 8;
const N = opts.accounts;
const TENANTS = opts.tenants ?? 100;
const PAGE = 100;
const EXTERNAL_ID = "cpx-bench-external-id";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** STS's token bucket for the control plane account's AssumeRole calls. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();
  throttled = 0;
  taken = 0;
  constructor(
    private readonly rate: number,
    private readonly capacity = Math.max(1, rate / 10),
  ) {
    this.tokens = this.capacity;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) {
      this.throttled += 1;
      return false;
    }
    this.tokens -= 1;
    this.taken += 1;
    return true;
  }
}

const bucket = new TokenBucket(opts.stsRate ?? Math.ceil(opts.budget * 1.5));
const policy = trustPolicy(EXTERNAL_ID);
const half = opts.latencyMs / 2;
const gateway: TenantRoleGateway = {
  async assumeRole(request) {
    if (!bucket.take()) throw new RoleAccessError("THROTTLED", "Rate exceeded");
    await sleep(half);
    const accountId = request.roleArn.split(":")[4] as string;
    return { accessKeyId: accountId, secretAccessKey: "s", sessionToken: "t" };
  },
  async callerIdentity(credentials: AwsCredentials) {
    await sleep(half);
    const id = credentials.accessKeyId;
    return { account: id, arn: `arn:aws:sts::${id}:assumed-role/Access/cp-verify` };
  },
  async roleTrustPolicy() {
    await sleep(half);
    return policy;
  },
};

// ---- DynamoDB: N accounts under TENANTS tenants, in shards of the index -----------------------
const tenantId = (t: number) => `tnt_bench${String(t).padStart(5, "0")}`;
const accountIdOf = (i: number) => String(100_000_000_000 + i);
const sortKeyOf = (i: number) =>
  accountIndexSortKey(tenantId(Math.floor((i * TENANTS) / N)), accountIdOf(i));
const accountItem = (i: number) => {
  const t = tenantId(Math.floor((i * TENANTS) / N));
  const accountId = accountIdOf(i);
  return {
    ...keys.account(t, accountId),
    [TABLE_KEYS.gsi1.partitionKey]: shardPartition("ACCOUNT", shardOf(sortKeyOf(i), SHARDS)),
    [TABLE_KEYS.gsi1.sortKey]: sortKeyOf(i),
    type: "ACCOUNT",
    tenantId: t,
    accountId,
    roleArn: `arn:aws:iam::${accountId}:role/Access`,
    partition: "aws",
    regions: [],
    status: "VERIFIED",
    lastVerification: { at: "2026-11-23T10:00:00.000Z" },
    source: { kind: "api" },
    createdAt: "2026-11-23T10:00:00.000Z",
    updatedAt: "2026-11-23T10:00:00.000Z",
    version: 1,
  };
};
// Each shard's accounts, in the index's order: `<spread>#<tenant>#<account>` with fixed-width ids
// sorts as (spread, account number), kept as spread * 2^20 + i (8 bytes an account, no items).
if (N > 2 ** 20) throw new RangeError("at most 2^20 accounts");
const shardMembers: Float64Array[] = (() => {
  const counts = new Int32Array(SHARDS);
  const shardOfIndex = new Uint8Array(N);
  const order = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const sortKey = sortKeyOf(i);
    const s = shardOf(sortKey, SHARDS);
    shardOfIndex[i] = s;
    order[i] = Number.parseInt(sortKey.slice(0, 4), 16) * 2 ** 20 + i;
    counts[s] = (counts[s] ?? 0) + 1;
  }
  const members = Array.from({ length: SHARDS }, (_, s) => new Float64Array(counts[s] ?? 0));
  const filled = new Int32Array(SHARDS);
  for (let i = 0; i < N; i++) {
    const s = shardOfIndex[i] as number;
    (members[s] as Float64Array)[filled[s] ?? 0] = order[i] as number;
    filled[s] = (filled[s] ?? 0) + 1;
  }
  for (const m of members) m.sort();
  return members;
})();

let itemsRead = 0;
let queries = 0;
let writes = 0;
let budgetClaims = 0;
const budgetTaken = new Map<string, number>();
/**
 * The document client's `send`, answered in memory (no call history kept, unlike a mock library,
 * so the process's memory is the sweep's own).
 */
function send(command: unknown): Promise<unknown> {
  if (command instanceof QueryCommand) return Promise.resolve(query(command.input));
  if (command instanceof GetCommand) return Promise.resolve(getTenant(command.input));
  if (command instanceof UpdateCommand) return Promise.resolve(claim(command.input));
  if (command instanceof TransactWriteCommand) {
    writes += 1;
    return Promise.resolve({});
  }
  return Promise.reject(new Error(`unexpected command ${String(command)}`));
}
function query(input: QueryCommandInput) {
  queries += 1;
  const partition = String(input.ExpressionAttributeValues?.[":pk"]);
  const shard = Number(partition.split("#")[2]);
  const members = shardMembers[shard] as Float64Array;
  const after = input.ExpressionAttributeValues?.[":sk"] as string | undefined;
  // The first member whose sort key is after `after` (binary search on the index order).
  let start = 0;
  if (after !== undefined) {
    const [spread, , account] = after.split("#") as [string, string, string];
    const afterIndex = Number.parseInt(spread, 16) * 2 ** 20 + (Number(account) - 100_000_000_000);
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((members[mid] as number) <= afterIndex) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const end = Math.min(members.length, start + (input.Limit ?? PAGE));
  const items = Array.from({ length: end - start }, (_, k) =>
    accountItem((members[start + k] as number) % 2 ** 20),
  );
  itemsRead += items.length;
  const last = items.at(-1);
  return {
    Items: items,
    ...(end < members.length && last ? { LastEvaluatedKey: keyOf(last) } : {}),
  };
}
function claim(input: UpdateCommandInput) {
  budgetClaims += 1;
  const key = `${input.Key?.PK}/${input.Key?.SK}`;
  const taken = (budgetTaken.get(key) ?? 0) + Number(input.ExpressionAttributeValues?.[":want"]);
  budgetTaken.set(key, taken);
  return { Attributes: { taken } };
}
const keyOf = (item: Record<string, unknown>) =>
  Object.fromEntries(
    [
      TABLE_KEYS.partitionKey,
      TABLE_KEYS.sortKey,
      TABLE_KEYS.gsi1.partitionKey,
      TABLE_KEYS.gsi1.sortKey,
    ].map((k) => [k, item[k]]),
  );
function getTenant(input: GetCommandInput) {
  itemsRead += 1;
  const id = String(input.Key?.PK).slice("TENANT#".length);
  return {
    Item: {
      ...keys.tenant(id),
      type: "TENANT",
      tenantId: id,
      name: id,
      status: "ACTIVE",
      externalId: { current: EXTERNAL_ID, currentSince: "2026-11-23T09:00:00.000Z" },
      createdAt: "2026-11-23T09:00:00.000Z",
      updatedAt: "2026-11-23T09:00:00.000Z",
      version: 1,
    },
  };
}
const doc = { send } as unknown as DynamoDBDocumentClient;
const store = new DynamoHealthStore(
  doc,
  "bench",
  30 * 24 * 3600,
  listingOptions(staticCursorKey("bench-cursor-key-of-at-least-32-characters"), SHARDS),
);
const tenants = new DynamoTenantStore(doc, "bench");
const budgetStore = new DynamoRateBudgetStore(doc, "bench");
let events = 0;
const clock = { now: () => new Date() };
const sweep = new HealthSweep({
  ports: {
    accounts: (cursor, limit, shards) => store.accounts(cursor, limit, shards),
    tenant: (id) => tenants.get(id),
    record: (account, health) => store.record(account, health),
    publish: async (changes) => {
      events += changes.length;
    },
  },
  verifier: new RoleVerifier({
    gateway,
    clock,
    sleep,
    principal: { partition: "aws", accountId: "123456789012" },
    retryBudgetMs: 0,
    negativeProbe: false,
    defaultRegion: "us-east-1",
  }),
  clock,
  concurrency: opts.concurrency,
  pageSize: PAGE,
  unhealthyAfter: 3,
});

async function main() {
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const cpu0 = process.cpuUsage();
  const batch = budgetBatch(opts.budget, BUDGET_SHARDS);
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: opts.workers }, (_, worker) => {
      const budget = new RateBudget({
        store: budgetStore,
        clock: systemClock,
        sleep: realSleep,
        ratePerSecond: opts.budget,
        budgetShards: BUDGET_SHARDS,
        batch,
        keys: budgetKeysOf(worker, opts.workers, BUDGET_SHARDS),
      });
      return sweep.run({
        deadlineMs: Number.MAX_SAFE_INTEGER,
        shards: workerShards(worker, opts.workers, SHARDS),
        // One AssumeRole per check (no negative probe here).
        pace: () => budget.acquire(),
      });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  // What the run keeps once it is done (run with --expose-gc): nothing that grows with N.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedHeapMB = gc
    ? +(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)
    : undefined;
  const checked = results.reduce((sum, r) => sum + r.checked, 0);
  const states = { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 };
  for (const r of results)
    for (const k of Object.keys(states) as (keyof typeof states)[]) states[k] += r.states[k];
  // The budget's bound: N checks at R per second (the latency only adds its last round trip).
  const bound = N / opts.budget;
  console.log(
    JSON.stringify({
      accounts: N,
      tenants: TENANTS,
      workers: opts.workers,
      concurrency: opts.concurrency,
      budget: opts.budget,
      stsRate: opts.stsRate ?? Math.ceil(opts.budget * 1.5),
      latencyMs: opts.latencyMs,
      seconds: +seconds.toFixed(2),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      boundSeconds: +bound.toFixed(2),
      ratio: +(seconds / bound).toFixed(3),
      checked,
      states,
      events,
      stsThrottled: bucket.throttled,
      assumeRoleCalls: bucket.taken,
      budgetClaims,
      maxTakenPerKeyAndSlot: Math.max(...budgetTaken.values()),
      queries,
      writes,
      itemsReadPerAccount: +(itemsRead / checked).toFixed(3),
      peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
      peakHeapMB: +(peakHeap / 1024 / 1024).toFixed(1),
      ...(retainedHeapMB === undefined ? {} : { retainedHeapMB }),
    }),
  );
}

void main();
