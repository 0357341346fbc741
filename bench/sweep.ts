/**
 * One health sweep against stubs, run in its own process so its peak memory is its own:
 *   node --import tsx bench/sweep.ts '{"accounts":10000,"stsRate":600,"concurrency":64,"latencyMs":50}'
 * Prints one JSON line.
 *
 * What is real: HealthSweep, RoleVerifier (trust-policy lint included), DynamoHealthStore and
 * DynamoTenantStore with their DynamoDB commands. What is stubbed:
 *  - DynamoDB, at the document client's `send`: the accounts index answers page by page, generating the
 *    items of each page on demand; writes succeed. Zero latency.
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
} from "@aws-sdk/lib-dynamodb";
import { DynamoHealthStore } from "../shared/adapters/dynamo-health-store";
import { DynamoTenantStore } from "../shared/adapters/dynamo-tenant-store";
import { keys, TABLE_KEYS } from "../shared/adapters/table";
import { RoleAccessError } from "../shared/domain/errors";
import type { AwsCredentials, TenantRoleGateway } from "../shared/ports";
import { HealthSweep } from "../shared/services/health-sweep";
import { RoleVerifier } from "../shared/services/role-verifier";
import { trustPolicy } from "../test/support/tenant-account";

const opts = JSON.parse(process.argv[2] ?? "{}") as {
  accounts: number;
  stsRate: number;
  concurrency: number;
  latencyMs: number;
  tenants?: number;
};
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

const bucket = new TokenBucket(opts.stsRate);
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

// ---- DynamoDB: N accounts under TENANTS tenants, in the index's sort order -------------------
const tenantId = (t: number) => `tnt_bench${String(t).padStart(5, "0")}`;
const accountItem = (i: number) => {
  const t = tenantId(Math.floor((i * TENANTS) / N));
  const accountId = String(100_000_000_000 + i);
  return {
    ...keys.account(t, accountId),
    [TABLE_KEYS.gsi1.partitionKey]: "ACCOUNT",
    [TABLE_KEYS.gsi1.sortKey]: `${t}#${accountId}`,
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
const keyOf = (item: Record<string, unknown>) =>
  Object.fromEntries(
    [
      TABLE_KEYS.partitionKey,
      TABLE_KEYS.sortKey,
      TABLE_KEYS.gsi1.partitionKey,
      TABLE_KEYS.gsi1.sortKey,
    ].map((k) => [k, item[k]]),
  );

let itemsRead = 0;
let queries = 0;
let writes = 0;
/**
 * The document client's `send`, answered in memory (no call history kept, unlike a mock library,
 * so the process's memory is the sweep's own).
 */
function send(command: unknown): Promise<unknown> {
  if (command instanceof QueryCommand) return Promise.resolve(query(command.input));
  if (command instanceof GetCommand) return Promise.resolve(getTenant(command.input));
  if (command instanceof TransactWriteCommand) {
    writes += 1;
    return Promise.resolve({});
  }
  return Promise.reject(new Error(`unexpected command ${String(command)}`));
}
function query(input: QueryCommandInput) {
  queries += 1;
  const after = input.ExclusiveStartKey?.GSI1SK as string | undefined;
  const start = after ? Number(after.split("#")[1]) - 100_000_000_000 + 1 : 0;
  const end = Math.min(N, start + (input.Limit ?? PAGE));
  const items = Array.from({ length: end - start }, (_, k) => accountItem(start + k));
  itemsRead += items.length;
  const last = items.at(-1);
  return { Items: items, ...(end < N && last ? { LastEvaluatedKey: keyOf(last) } : {}) };
}
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
const store = new DynamoHealthStore(doc, "bench", 30 * 24 * 3600);
const tenants = new DynamoTenantStore(doc, "bench");
let events = 0;
const clock = { now: () => new Date() };
const sweep = new HealthSweep({
  ports: {
    accounts: (cursor, limit) => store.accounts(cursor, limit),
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
  checksPerSecond: opts.stsRate,
  pageSize: PAGE,
  unhealthyAfter: 3,
});

async function main() {
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await sweep.run({ deadlineMs: Number.MAX_SAFE_INTEGER });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);

  const bound = Math.max(
    (Math.ceil(N / opts.concurrency) * opts.latencyMs) / 1000,
    N / opts.stsRate,
  );
  console.log(
    JSON.stringify({
      accounts: N,
      tenants: TENANTS,
      concurrency: opts.concurrency,
      stsRate: opts.stsRate,
      latencyMs: opts.latencyMs,
      seconds: +seconds.toFixed(2),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      boundSeconds: +bound.toFixed(2),
      ratio: +(seconds / bound).toFixed(3),
      checked: result.checked,
      states: result.states,
      events,
      stsThrottled: bucket.throttled,
      assumeRoleCalls: bucket.taken,
      queries,
      writes,
      itemsReadPerAccount: +(itemsRead / result.checked).toFixed(3),
      peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
      peakHeapMB: +(peakHeap / 1024 / 1024).toFixed(1),
    }),
  );
}

void main();
