/**
 * Partition heat: the DynamoDB capacity units each partition key takes per second, for three
 * workloads at the scale of docs/scale.md's last step, checked against what one partition serves
 * (1,000 write units, 3,000 read units a second). Prints one JSON object:
 *   npx tsx bench/heat.ts ['{"sweep":{"checksPerSecond":2000},"broker":{"tenants":1}}']
 * and exports heatModel(options) (the same object) and one function per scenario, for bench/run.ts.
 *
 *  1. The health sweep of 1,000,000 accounts over 100,000 tenants at its AssumeRole budget
 *     (N / 900 s = 1,112 checks a second), with the sharded accounts index (16 shards, 4 workers:
 *     INDEX_SHARDS and SWEEP_WORKERS' defaults); compared with one index partition (shards 1),
 *     with one worker over all 16 shards, and with one tenant of 10,000 accounts.
 *  2. 1,000 brokered sessions a second: 100 calling services (an API key each, each at its
 *     RATE_LIMIT_SESSIONS_PER_MINUTE of 600), 10,000 tenants, 20 permission sets; and the same
 *     sessions all for one tenant (nothing limits sessions per tenant).
 *  3. 200 account registrations a second through the stack path (SNS custom resource), over
 *     10,000 tenants; and all for one tenant (a StackSet rolled out across an organization).
 *
 * What is real: HealthSweep, RoleVerifier (trust-policy lint included), SessionBroker, ApiKeyService
 * (its per-container key cache), RateLimiter, RegistrationService, AccountService, AuditTrail, and
 * the DynamoDB adapters they are wired with in shared/wiring (DynamoHealthStore, DynamoTenantStore,
 * DynamoAccountStore, DynamoBrokerStore, DynamoPermissionSetStore, DynamoGrantStore,
 * DynamoApiKeyStore, DynamoRateCounterStore, DynamoAuditStore, DynamoRegistrationTokenStore, the
 * ShardedIndex under them): every key, index key and item layout is the code's own. Item layouts of
 * the big populations (accounts, tenants) are taken from what DynamoAccountStore.put and
 * DynamoTenantStore.create write, with the IDs substituted and the index shard recomputed.
 * What is stubbed:
 *  - DynamoDB, at the document client's `send` (bench/heat-stub.ts): items in memory, accounts and
 *    tenants made on demand from their key and the accounts index answered page by page from a
 *    shard layout of 8 bytes an account (never 1,000,000 items in memory); it counts capacity units per
 *    key and per second (rules and approximations in its header) and refuses nothing.
 *  - STS and IAM, at the TenantRoleGateway seam: AssumeRole succeeds with an external ID and is
 *    refused without one (the negative probe passes), GetCallerIdentity names the role, the trust
 *    policy is test/support/tenant-account.ts's with the presented external ID. Zero latency.
 *  - Time: a simulated clock. Each scenario issues its operations at its rate, spaced evenly in
 *    each second, and each operation's units count in the second it is issued in; the run takes
 *    CPU time only. The sweep's workers are paced through HealthSweep's own `pace` hook (what
 *    RateBudget does in the deployment), the budget split evenly over the workers.
 *  - The HTTP layer of POST /v1/sessions: its order is replayed (authenticate, rate limit, issue)
 *    on one ApiKeyService per Lambda container (rps × 0.2 s of them, a request to a random one).
 *  - EventBridge (the sweep's events) and the custom-resource response (registration): counted.
 */
import { pathToFileURL } from "node:url";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoAccountStore } from "../shared/adapters/dynamo-account-store";
import { DynamoApiKeyStore } from "../shared/adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../shared/adapters/dynamo-audit-store";
import { DynamoBrokerStore } from "../shared/adapters/dynamo-broker-store";
import { DynamoGrantStore } from "../shared/adapters/dynamo-grant-store";
import { DynamoHealthStore } from "../shared/adapters/dynamo-health-store";
import { DynamoPermissionSetStore } from "../shared/adapters/dynamo-permission-set-store";
import { DynamoRateCounterStore } from "../shared/adapters/dynamo-rate-counter-store";
import { DynamoRegistrationTokenStore } from "../shared/adapters/dynamo-registration-token-store";
import { DynamoTenantReader, DynamoTenantStore } from "../shared/adapters/dynamo-tenant-store";
import { sdkRegionCatalog } from "../shared/adapters/sdk-region-catalog";
import {
  accountIndexSortKey,
  desiredIndexKeys,
  listingOptions,
  listOfPartition,
  type ShardedIndexOptions,
  shardOf,
  shardPartition,
  staticCursorKey,
} from "../shared/adapters/sharded-index";
import { cryptoRandom } from "../shared/adapters/system";
import { keys } from "../shared/adapters/table";
import type { Account } from "../shared/domain/account";
import { hashApiKey } from "../shared/domain/api-key";
import { RoleAccessError } from "../shared/domain/errors";
import { ALL_TENANTS } from "../shared/domain/grant";
import { nextHealth } from "../shared/domain/health";
import { workerShards } from "../shared/domain/sweep-plan";
import type { Tenant } from "../shared/domain/tenant";
import { AppError } from "../shared/errors";
import type {
  AssumeRoleRequest,
  AwsCredentials,
  TenantRoleGateway,
} from "../shared/ports/accounts";
import type { Clock } from "../shared/ports/common";
import { AccountService } from "../shared/services/account-service";
import { ApiKeyService } from "../shared/services/api-key-service";
import { AuditTrail } from "../shared/services/audit-trail";
import { HealthSweep } from "../shared/services/health-sweep";
import { hashRegistrationToken } from "../shared/services/onboarding-service";
import { RateLimiter } from "../shared/services/rate-limiter";
import { RegistrationService } from "../shared/services/registration-service";
import { RoleVerifier } from "../shared/services/role-verifier";
import { type BrokeredSession, SessionBroker } from "../shared/services/session-broker";
import { SessionCache } from "../shared/services/session-cache";
import type { StackConfirmation } from "../shared/services/stack-confirmation";
import { TenantLookup } from "../shared/services/tenant-lookup";
import { trustPolicy } from "../test/support/tenant-account";
import {
  capturePuts,
  type HeatReport,
  HeatTable,
  type HotKey,
  type Item,
  itemBytes,
  PARTITION_LIMITS,
} from "./heat-stub";

const TABLE = "heat";
/** The simulation's first second: a minute boundary (rate-limit windows), a sweep period's start. */
const T0 = Date.parse("2026-12-07T10:00:00.000Z");
const CREATED = "2026-11-23T09:00:00.000Z";
/** The accounts' previous health check: in the previous 15-minute period. */
const PREVIOUS_CHECK = "2026-12-07T09:47:00.000Z";
const CONTROL_PLANE_ACCOUNT = "123456789012";
const ROLE_NAME = "CrossAccountControlPlaneAccess";
const REGION = "us-east-1";
const HISTORY_SECONDS = 30 * 24 * 3600;
const AUDIT_RETENTION_SECONDS = 365 * 24 * 3600;
const CURSOR_KEY = staticCursorKey("heat-bench-cursor-key");

// ---- Identifiers: real shapes and lengths, numbered -----------------------------------------

/** tnt_ + 26 characters of the ULID alphabet (digits are in it), sorting by number. */
const tenantIdOf = (t: number) => `tnt_${String(t).padStart(26, "0")}`;
const accountIdOf = (n: number) => String(100_000_000_000 + n);
/** cpx- + 32 characters, as generateExternalId makes them. */
const externalIdOf = (t: number) => `cpx-${String(t).padStart(32, "0")}`;
const roleArnOf = (accountId: string) => `arn:aws:iam::${accountId}:role/${ROLE_NAME}`;
const stackIdOf = (accountId: string) =>
  `arn:aws:cloudformation:${REGION}:${accountId}:stack/${ROLE_NAME}/6f0c2b1e-4d7a-11ef-9c3b-0a1b2c3d4e5f`;
/** An API Gateway / CloudFormation request ID (a UUID), numbered. */
const requestIdOf = (j: number) => `0b6f7c1e-2d3a-4e5f-8a9b-${String(j).padStart(12, "0")}`;

const TENANT_PLACEHOLDER = `tnt_${"z".repeat(26)}`;
const ACCOUNT_PLACEHOLDER = "999999999999";
const EXTERNAL_ID_PLACEHOLDER = `cpx-${"x".repeat(32)}`;

/** mulberry32: a small deterministic generator, so that every run spreads load the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let gc: (() => void) | undefined;
const HEAP_BEFORE_GC = 96 * 1024 * 1024;
/**
 * A full garbage collection between simulated seconds, once the heap passes 96 MB: the model makes
 * garbage much faster than it keeps data (items as JSON, counters), and without it V8 lets the
 * heap grow to a few hundred MB before collecting; with it the process stays near 200 MB.
 */
function collectGarbage(): void {
  if (getHeapStatistics().used_heap_size < HEAP_BEFORE_GC) return;
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

class SimClock implements Clock {
  ms = T0;
  now(): Date {
    return new Date(this.ms);
  }
}

// ---- STS and IAM ------------------------------------------------------------------------------

/** The TenantRoleGateway seam: every role trusts the control plane with the presented external ID. */
class StsStub implements TenantRoleGateway {
  assumeRoleCalls = 0;
  constructor(
    private readonly clock: Clock,
    private readonly counting: () => boolean,
  ) {}

  async assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials> {
    if (this.counting()) this.assumeRoleCalls += 1;
    if (request.externalId === undefined)
      throw new RoleAccessError("ACCESS_DENIED", "not authorized to perform sts:AssumeRole");
    const account = request.roleArn.split(":")[4] as string;
    return {
      accessKeyId: account,
      secretAccessKey: "s",
      // Carries the external ID the role accepted, for the trust policy below.
      sessionToken: request.externalId,
      expiration: new Date(this.clock.now().getTime() + request.durationSeconds * 1000),
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${ROLE_NAME}/${request.sessionName}`,
    };
  }

  async callerIdentity(credentials: AwsCredentials) {
    const id = credentials.accessKeyId;
    return { account: id, arn: `arn:aws:sts::${id}:assumed-role/${ROLE_NAME}/cp-verify` };
  }

  async roleTrustPolicy(credentials: AwsCredentials) {
    return trustPolicy(credentials.sessionToken);
  }
}

const verifierFor = (gateway: TenantRoleGateway, clock: Clock, retryBudgetMs: number) =>
  new RoleVerifier({
    gateway,
    clock,
    sleep: async () => undefined,
    principal: { partition: "aws", accountId: CONTROL_PLANE_ACCOUNT },
    retryBudgetMs,
    negativeProbe: true,
    defaultRegion: REGION,
  });

// ---- Populations: accounts and tenants made on demand ------------------------------------------

const sampleTenant = (tenantId: string, externalId: string): Tenant => ({
  tenantId,
  name: "Example Corporation",
  status: "ACTIVE",
  externalId: { current: externalId, currentSince: CREATED },
  createdAt: CREATED,
  updatedAt: CREATED,
  version: 1,
});

/** A registered account as AccountService.register stores it, checked once already. */
const sampleAccount = (tenantId: string, accountId: string, externalId: string): Account => ({
  tenantId,
  accountId,
  roleArn: roleArnOf(accountId),
  partition: "aws",
  regions: [REGION],
  status: "VERIFIED",
  verifiedAt: CREATED,
  lastVerification: { at: CREATED },
  acceptedExternalId: externalId,
  health: nextHealth(undefined, { ok: true, latencyMs: 184 }, PREVIOUS_CHECK, 3).health,
  source: { kind: "cloudformation", stackId: stackIdOf(accountId) },
  createdAt: CREATED,
  updatedAt: CREATED,
  version: 1,
});

/** The items the adapters write for one tenant and one account, as JSON with placeholder IDs. */
async function templates(shards: number) {
  const index: ShardedIndexOptions = { shards };
  const [account] = await capturePuts((doc) =>
    new DynamoAccountStore(doc, TABLE, shards).put(
      sampleAccount(TENANT_PLACEHOLDER, ACCOUNT_PLACEHOLDER, EXTERNAL_ID_PLACEHOLDER),
      undefined,
    ),
  );
  const [tenant] = await capturePuts((doc) =>
    new DynamoTenantStore(doc, TABLE, index).create(
      sampleTenant(TENANT_PLACEHOLDER, EXTERNAL_ID_PLACEHOLDER),
    ),
  );
  if (!account || !tenant) throw new Error("the adapters wrote no account or tenant item");
  return { account: JSON.stringify(account), tenant: JSON.stringify(tenant) };
}

/** A template with its IDs substituted, and its index shard recomputed for the new sort key. */
function instantiate(template: string, ids: [string, string][], shards: number): Item {
  let json = template;
  for (const [from, to] of ids) json = json.replaceAll(from, to);
  const item = JSON.parse(json) as Item;
  if (typeof item.GSI1PK === "string" && typeof item.GSI1SK === "string") {
    const list = listOfPartition(item.GSI1PK);
    if (list) Object.assign(item, desiredIndexKeys(list, item, shards));
  }
  return item;
}

interface PopulationShape {
  accounts: number;
  tenants: number;
  /** Accounts of one tenant (0: every tenant alike); the others share the rest evenly. */
  largestTenantAccounts: number;
  /** Roughly where that tenant's accounts start in the index's sort order (an account number). */
  largestTenantAt: number;
  shards: number;
}

/**
 * `accounts` accounts numbered 0.. over `tenants` tenants, in the accounts index's sort order
 * (tenant, then account). Items are made when read; the index's shards are found by hashing
 * sort keys lazily, in order, as far as the reads have gone (a few integers per account).
 */
class Population {
  /** Per shard, its accounts in the index's order: spread * 2^20 + account number, sorted. */
  private readonly shardLists: Float64Array[];
  /** The largest tenant's number and its first account (where the others' tenants change). */
  readonly largest: { tenant: number; from: number } | undefined;

  constructor(
    readonly shape: PopulationShape,
    private readonly template: { account: string; tenant: string },
  ) {
    const { accounts, tenants, largestTenantAccounts: big, largestTenantAt } = shape;
    if (big > 0 && tenants > 1) {
      const others = accounts - big;
      const at = Math.max(0, Math.min(others - 1, largestTenantAt));
      const tenant = Math.floor((at * (tenants - 1)) / others);
      this.largest = { tenant, from: Math.ceil((tenant * others) / (tenants - 1)) };
    }
    this.shardLists = this.hashAll();
  }

  tenantOf(n: number): number {
    const { accounts, tenants, largestTenantAccounts: big } = this.shape;
    if (!this.largest) return Math.floor((n * tenants) / accounts);
    // The other tenants share `accounts - big` evenly; the largest one sits in between them.
    const { tenant, from } = this.largest;
    if (n < from) return Math.floor((n * (tenants - 1)) / (accounts - big));
    if (n < from + big) return tenant;
    return 1 + Math.floor(((n - big) * (tenants - 1)) / (accounts - big));
  }

  accountItem(n: number): Item {
    const t = this.tenantOf(n);
    return instantiate(
      this.template.account,
      [
        [TENANT_PLACEHOLDER, tenantIdOf(t)],
        [ACCOUNT_PLACEHOLDER, accountIdOf(n)],
        [EXTERNAL_ID_PLACEHOLDER, externalIdOf(t)],
      ],
      this.shape.shards,
    );
  }

  tenantItem(t: number): Item {
    return instantiate(
      this.template.tenant,
      [
        [TENANT_PLACEHOLDER, tenantIdOf(t)],
        [EXTERNAL_ID_PLACEHOLDER, externalIdOf(t)],
      ],
      this.shape.shards,
    );
  }

  readonly generate = (pk: string, sk: string): Item | undefined => {
    if (!pk.startsWith("TENANT#")) return undefined;
    const t = Number(pk.slice("TENANT#tnt_".length));
    if (!Number.isInteger(t) || t < 0 || t >= this.shape.tenants) return undefined;
    if (sk === "TENANT") return this.tenantItem(t);
    if (!sk.startsWith("ACCOUNT#")) return undefined;
    const n = Number(sk.slice("ACCOUNT#".length)) - 100_000_000_000;
    if (!Number.isInteger(n) || n < 0 || n >= this.shape.accounts || this.tenantOf(n) !== t)
      return undefined;
    return this.accountItem(n);
  };

  readonly indexList = (partition: string, after: string | undefined, limit: number) => {
    if (listOfPartition(partition) !== "ACCOUNT") return undefined;
    const shard = Number(partition.split("#")[2]);
    if (shardPartition("ACCOUNT", shard) !== partition || shard >= this.shape.shards)
      return undefined;
    const list = this.shardLists[shard] as Float64Array;
    // `<spread>#<tenant>#<account>`: ids are fixed-width, so the order is (spread, account).
    const afterKey =
      after === undefined
        ? -1
        : Number.parseInt(after.split("#")[0] as string, 16) * 2 ** 20 +
          (Number(after.split("#")[2]) - 100_000_000_000);
    // The first account of the shard after `afterKey` (the list is sorted).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as number) <= afterKey) lo = mid + 1;
      else hi = mid;
    }
    return Array.from(list.subarray(lo, lo + limit), (key) => this.accountItem(key % 2 ** 20));
  };

  /** Every account's shard and place in it (2 hashes an account, 8 bytes kept). */
  private hashAll(): Float64Array[] {
    const { accounts, shards } = this.shape;
    if (accounts > 2 ** 20) throw new RangeError("at most 2^20 accounts");
    const keys = new Float64Array(accounts);
    const shardOfAccount = new Uint16Array(accounts);
    const counts = new Int32Array(shards);
    for (let n = 0; n < accounts; n++) {
      const sortKey = accountIndexSortKey(tenantIdOf(this.tenantOf(n)), accountIdOf(n));
      const shard = shardOf(sortKey, shards);
      shardOfAccount[n] = shard;
      counts[shard] = (counts[shard] ?? 0) + 1;
      keys[n] = Number.parseInt(sortKey.slice(0, 4), 16) * 2 ** 20 + n;
    }
    const lists = Array.from({ length: shards }, (_, s) => new Float64Array(counts[s] ?? 0));
    const filled = new Int32Array(shards);
    for (let n = 0; n < accounts; n++) {
      const s = shardOfAccount[n] as number;
      (lists[s] as Float64Array)[filled[s] ?? 0] = keys[n] as number;
      filled[s] = (filled[s] ?? 0) + 1;
    }
    for (const list of lists) list.sort();
    return lists;
  }
}

// ---- Reports ----------------------------------------------------------------------------------

/** The model's rules, stated once in the output. */
export const ASSUMPTIONS = {
  partitionLimits: {
    writeUnitsPerSecond: PARTITION_LIMITS.write,
    readUnitsPerSecond: PARTITION_LIMITS.read,
    note: "one partition-key value taken as one partition (docs/scale.md); hot = above 50%",
  },
  units:
    "reads 1 per 4 KB strongly consistent, 0.5 eventually (Query: item sizes summed, then rounded; GetItem and BatchGetItem: per item, a missing item at the minimum); writes 1 per KB of the larger image; transactions x2; GSI1 queries eventually consistent",
  conditionCheck:
    "counted as a transactional write of the checked item (2 per KB), the conservative reading",
  gsi1: "a write of an item with GSI1PK writes its index partition once (1 per KB of the new image, not doubled by a transaction); a changed or removed GSI1PK also deletes from the old partition",
  itemSize: "UTF-8 length of the item's JSON",
  time: "simulated: operations spaced evenly in each second, units counted in the second they are issued",
  conditions: "not evaluated (every write's condition passes; a failed one costs the same)",
};

const pick = (r: HeatReport) => ({
  hottestRead: r.reads.hottest,
  hottestWrite: r.writes.hottest,
  distinctKeys: { read: r.reads.distinctKeys, written: r.writes.distinctKeys, all: r.distinctKeys },
  totalUnitsPerSecond: {
    read: r.reads.totalUnitsPerSecond,
    write: r.writes.totalUnitsPerSecond,
    ofWhichGsi1: { read: r.reads.indexUnitsPerSecond, write: r.writes.indexUnitsPerSecond },
    busiestSecond: { read: r.reads.busiestSecondUnits, write: r.writes.busiestSecondUnits },
  },
  pass: r.pass,
  hotKeys: r.hotKeys,
  commandsPerSecond: r.commandsPerSecond,
  measuredSeconds: r.seconds,
});

export type ScenarioReport = ReturnType<typeof pick>;

// ---- 1. The health sweep ----------------------------------------------------------------------

/** Thrown into the sweep's waiting checks when the simulation ends. */
class SimulationOver extends Error {}

/**
 * Hands out check starts, one at a time, to the workers' HealthSweep runs (their `pace` hook):
 * the simulation decides when each worker may start its next check.
 */
class Pacer {
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void }[][];
  private readonly wake: ((() => void) | undefined)[];
  private readonly done: boolean[];
  private over = false;

  constructor(workers: number) {
    this.waiting = Array.from({ length: workers }, () => []);
    this.wake = Array.from({ length: workers }, () => undefined);
    this.done = Array.from({ length: workers }, () => false);
  }

  pace(worker: number): () => Promise<void> {
    return () =>
      new Promise<void>((resolve, reject) => {
        if (this.over) {
          reject(new SimulationOver());
          return;
        }
        this.waiting[worker]?.push({ resolve, reject });
        this.poke(worker);
      });
  }

  finished(worker: number): void {
    this.done[worker] = true;
    this.poke(worker);
  }

  /** Lets `worker` start one check; false when it has nothing left to check. */
  async release(worker: number): Promise<boolean> {
    for (;;) {
      const next = this.waiting[worker]?.shift();
      if (next) {
        next.resolve();
        return true;
      }
      if (this.done[worker]) return false;
      await new Promise<void>((resolve) => {
        this.wake[worker] = resolve;
      });
    }
  }

  end(): void {
    this.over = true;
    for (const queue of this.waiting)
      for (const w of queue.splice(0)) w.reject(new SimulationOver());
  }

  private poke(worker: number): void {
    const wake = this.wake[worker];
    this.wake[worker] = undefined;
    wake?.();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SweepHeatOptions {
  /** Registered accounts (1,000,000). */
  accounts?: number;
  /** Tenants they belong to (100,000). */
  tenants?: number;
  /** Checks started per second, all workers together (accounts / 900 s period, rounded up). */
  checksPerSecond?: number;
  /** INDEX_SHARDS (16); 1 is one index partition, as the unsharded `ACCOUNT` list was. */
  shards?: number;
  /** SWEEP_WORKERS (4), at most `shards`: worker w takes every workers-th shard (workerShards). */
  workers?: number;
  /** Seconds measured (10), after `warmupSeconds` (1) not counted. */
  seconds?: number;
  warmupSeconds?: number;
  /** HEALTH_CONCURRENCY (16) per worker, and the wiring's page size (100). */
  concurrency?: number;
  pageSize?: number;
  /**
   * Accounts of one tenant (0: every tenant alike), placed in the index's order where the
   * workers reach it one second into the measured window.
   */
  largestTenantAccounts?: number;
  /**
   * More operations each simulated second (say, the sweep budget's lease writes), made on the
   * same table before that second's checks; counted under the cause `extra`.
   */
  extra?: (second: number, doc: DynamoDBDocumentClient, nowMs: number) => Promise<void>;
}

export async function sweepHeat(options: SweepHeatOptions = {}) {
  const accounts = options.accounts ?? 1_000_000;
  const tenants = options.tenants ?? 100_000;
  const shards = options.shards ?? 16;
  const workers = Math.min(options.workers ?? 4, shards);
  const rate = options.checksPerSecond ?? Math.ceil(accounts / 900);
  const seconds = options.seconds ?? 10;
  const warmup = options.warmupSeconds ?? 1;
  const largest = options.largestTenantAccounts ?? 0;

  // The largest tenant (if any) where the workers reach it a second into the measured window:
  // each worker reads rate / workers accounts a second from its shard, 1 / shards of the list.
  const population = new Population(
    {
      accounts,
      tenants,
      largestTenantAccounts: largest,
      largestTenantAt: Math.ceil(((warmup + 1) * rate * shards) / workers),
      shards,
    },
    await templates(shards),
  );
  const table = new HeatTable({ generate: population.generate, indexList: population.indexList });
  const clock = new SimClock();
  const sts = new StsStub(clock, () => table.counting);
  const index: ShardedIndexOptions = listingOptions(CURSOR_KEY, shards);
  const store = new DynamoHealthStore(table.doc, TABLE, HISTORY_SECONDS, index);
  const tenantStore = new DynamoTenantStore(table.doc, TABLE, index);
  let checks = 0;
  let events = 0;
  // As shared/wiring/health.ts builds it, with the verifier's STS and IAM stubbed.
  const sweep = new HealthSweep({
    ports: {
      accounts: (cursor, limit, only) => store.accounts(cursor, limit, only),
      tenant: (tenantId) => tenantStore.get(tenantId),
      record: (account, health, externalId, notCheckedSince) => {
        if (table.counting) checks += 1;
        return store.record(account, health, externalId, notCheckedSince);
      },
      publish: async (changes) => {
        events += changes.length;
      },
    },
    verifier: verifierFor(sts, clock, 0),
    clock,
    concurrency: options.concurrency ?? 16,
    pageSize: options.pageSize ?? 100,
    unhealthyAfter: 3,
  });

  table.counting = warmup === 0;
  table.phase = "sweep";
  const pacer = new Pacer(workers);
  let failure: unknown;
  const runs = Array.from({ length: workers }, (_, w) =>
    sweep
      .run({
        deadlineMs: Number.MAX_SAFE_INTEGER,
        shards: workerShards(w, workers, shards),
        periodStart: new Date(T0).toISOString(),
        pace: pacer.pace(w),
      })
      .catch((err: unknown) => {
        if (!(err instanceof SimulationOver)) failure ??= err;
      })
      .finally(() => pacer.finished(w)),
  );
  for (let s = 0; s < warmup + seconds && failure === undefined; s++) {
    collectGarbage();
    table.second = s;
    table.counting = s >= warmup;
    clock.ms = T0 + s * 1000;
    if (options.extra) {
      table.phase = "extra";
      await options.extra(s, table.doc, clock.ms);
      table.phase = "sweep";
    }
    // Check starts spaced evenly over the second, dealt to the workers in turn (the budget's
    // tokens, split evenly); each check finishes (zero latency) before the next one starts.
    for (let i = 0; i < rate; i++) {
      clock.ms = T0 + s * 1000 + Math.floor((i * 1000) / rate);
      await pacer.release(i % workers);
      await settle();
    }
  }
  table.counting = false;
  pacer.end();
  await Promise.all(runs);
  if (failure !== undefined) throw failure;

  const history = table.heldItems("HEALTH#").next().value;
  return {
    scenario: "health sweep",
    accounts,
    tenants,
    largestTenantAccounts: largest,
    ...(population.largest ? { largestTenant: tenantIdOf(population.largest.tenant) } : {}),
    checksPerSecond: rate,
    shards,
    workers,
    accountsIndexPartitions:
      shards === 1
        ? `${shardPartition("ACCOUNT", 0)} (one partition, like the legacy ACCOUNT)`
        : `${shardPartition("ACCOUNT", 0)} .. ${shardPartition("ACCOUNT", shards - 1)}`,
    checksMeasured: checks,
    eventsPublished: events,
    assumeRolePerSecond: Math.round(sts.assumeRoleCalls / seconds),
    itemBytes: {
      account: itemBytes(population.accountItem(0)),
      tenant: itemBytes(population.tenantItem(0)),
      healthCheck: itemBytes(history),
    },
    ...pick(table.report()),
  };
}

// ---- 2. The session broker --------------------------------------------------------------------

/**
 * The credential cache, as a hit ratio: DynamoDB sees the same reads and writes either way (the
 * broker reads before it consults the cache), so the ratio only decides how often STS is called.
 */
class ModelCache extends SessionCache<BrokeredSession & { expiration: Date }> {
  private owed = 0;
  private last: (BrokeredSession & { expiration: Date }) | undefined;

  constructor(private readonly hitRatio: number) {
    super();
  }

  override async get(
    _key: string,
    _nowMs: number,
    load: () => Promise<BrokeredSession & { expiration: Date }>,
  ): Promise<{ value: BrokeredSession & { expiration: Date }; hit: boolean }> {
    this.owed += this.hitRatio;
    if (this.owed >= 1 && this.last) {
      this.owed -= 1;
      return { value: this.last, hit: true };
    }
    this.last = await load();
    return { value: this.last, hit: false };
  }
}

export interface BrokerHeatOptions {
  /** POST /v1/sessions per second (1,000). */
  sessionsPerSecond?: number;
  /** Calling services, an API key each (100); requests dealt to them in turn. */
  services?: number;
  /** Tenants (10,000), with `accountsPerTenant` (10) accounts each; a session picks one at random. */
  tenants?: number;
  accountsPerTenant?: number;
  /** Permission sets (20), all granted to every service (a grant for all tenants); one per request. */
  permissionSets?: number;
  /** Seconds measured (10), after `warmupSeconds` not counted (30: the key cache's TTL). */
  seconds?: number;
  warmupSeconds?: number;
  /** Lambda containers, each with its own API key cache (sessions per second × 0.2 s). */
  containers?: number;
  /** API_KEY_CACHE_TTL_SECONDS (30). */
  apiKeyCacheTtlSeconds?: number;
  /** Share of requests served from the credential cache (0: every request is a miss). */
  credentialCacheHitRatio?: number;
  /** RATE_LIMIT_SESSIONS_PER_MINUTE (600). */
  sessionsPerMinutePerService?: number;
  shards?: number;
}

export async function brokerHeat(options: BrokerHeatOptions = {}) {
  const rate = options.sessionsPerSecond ?? 1000;
  const services = options.services ?? 100;
  const tenants = options.tenants ?? 10_000;
  const perTenant = options.accountsPerTenant ?? 10;
  const setCount = options.permissionSets ?? 20;
  const seconds = options.seconds ?? 10;
  const warmup = options.warmupSeconds ?? 30;
  const containerCount = options.containers ?? Math.max(1, Math.ceil(rate * 0.2));
  const limitPerMinute = options.sessionsPerMinutePerService ?? 600;
  const hitRatio = options.credentialCacheHitRatio ?? 0;
  const shards = options.shards ?? 16;
  const accounts = tenants * perTenant;

  const population = new Population(
    { accounts, tenants, largestTenantAccounts: 0, largestTenantAt: 0, shards },
    await templates(shards),
  );
  const table = new HeatTable({ generate: population.generate });
  const clock = new SimClock();
  clock.ms = T0 - 3600_000;
  const sts = new StsStub(clock, () => table.counting);
  const index: ShardedIndexOptions = { shards };
  const audit = new DynamoAuditStore(table.doc, TABLE, AUDIT_RETENTION_SECONDS);
  const trail = new AuditTrail({ audit, clock });

  // Set-up, not counted: permission sets, one service key and one all-tenants grant per service.
  table.counting = false;
  const setNames = Array.from({ length: setCount }, (_, i) => `ps-${String(i).padStart(2, "0")}`);
  const policy = (name: string) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: name.replace(/\W/g, ""),
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:ListBucket", "ec2:Describe*", "cloudwatch:GetMetricData"],
          Resource: "*",
        },
      ],
    });
  const sets = new DynamoPermissionSetStore(table.doc, TABLE);
  for (const name of setNames)
    await sets.put({ name, policy: policy(name), createdAt: CREATED, updatedAt: CREATED });
  const serviceName = (i: number) => `svc-${String(i).padStart(3, "0")}`;
  const secretOf = (i: number) => `cpk_${String(i).padStart(43, "0")}`;
  const keyStore = new DynamoApiKeyStore(table.doc, TABLE, index);
  const grants = new DynamoGrantStore(table.doc, TABLE, index);
  for (let i = 0; i < services; i++) {
    await keyStore.create(
      {
        keyId: `key_${String(i).padStart(26, "0")}`,
        role: "service",
        service: serviceName(i),
        createdAt: CREATED,
      },
      hashApiKey(secretOf(i)),
    );
    await grants.create({
      grantId: `grt_${String(i).padStart(26, "0")}`,
      service: serviceName(i),
      tenantId: ALL_TENANTS,
      permissionSets: setNames,
      maxDurationSeconds: 3600,
      createdAt: CREATED,
    });
  }

  // As shared/wiring builds them: one API key service (its cache) per container, the rest shared.
  const containers = Array.from(
    { length: containerCount },
    () =>
      new ApiKeyService({
        keys: new DynamoApiKeyStore(table.doc, TABLE, index),
        trail,
        clock,
        random: cryptoRandom,
        cacheTtlSeconds: options.apiKeyCacheTtlSeconds ?? 30,
      }),
  );
  const limiter = new RateLimiter({
    counters: new DynamoRateCounterStore(table.doc, TABLE),
    clock,
    limits: { sessionsPerMinute: limitPerMinute, tenantWritesPerMinute: 120 },
  });
  const broker = new SessionBroker({
    store: new DynamoBrokerStore(table.doc, TABLE),
    permissionSets: sets,
    accounts: new DynamoAccountStore(table.doc, TABLE, shards),
    audit,
    gateway: sts,
    cache: new ModelCache(hitRatio),
    clock,
    defaultRegion: REGION,
  });

  const draw = random(16);
  const refused: Record<string, number> = {};
  let j = 0;
  table.phase = "session";
  for (let s = 0; s < warmup + seconds; s++) {
    collectGarbage();
    table.second = s;
    table.counting = s >= warmup;
    for (let i = 0; i < rate; i++, j++) {
      clock.ms = T0 + s * 1000 + Math.floor((i * 1000) / rate);
      const service = j % services;
      const n = Math.floor(draw() * accounts);
      const container = containers[Math.floor(draw() * containerCount)] as ApiKeyService;
      const permissionSet = setNames[Math.floor(draw() * setCount)] as string;
      try {
        // The order of shared/http/handler.ts: authenticate, then the route's rate limit, then
        // the handler (functions/brokering/createSession.ts).
        const caller = await container.authenticate(secretOf(service));
        await limiter.admit("service", caller.service ?? caller.keyId);
        await broker.issue(
          { keyId: caller.keyId, service: caller.service ?? "" },
          {
            tenantId: tenantIdOf(population.tenantOf(n)),
            accountId: accountIdOf(n),
            permissionSet,
            durationSeconds: 3600,
          },
          requestIdOf(j),
        );
      } catch (err) {
        const code = err instanceof AppError ? err.code : String(err);
        refused[code] = (refused[code] ?? 0) + 1;
      }
    }
  }
  table.counting = false;
  const report = table.report();

  let maxCount = 0;
  for (const counter of table.heldItems("RATE#"))
    maxCount = Math.max(maxCount, Number(counter.count));
  const perService = rate / services;
  const allowedPerService = limitPerMinute / 60;
  // Service 0's own keys, scaled to the most the limit lets one service send (10 a second).
  const scale = perService > 0 ? allowedPerService / perService : 1;
  const own = {
    [`RATE#service#${serviceName(0)}`]: "write",
    [keys.grantPartition(serviceName(0))]: "read",
    [keys.apiKey(hashApiKey(secretOf(0))).PK]: "read",
  } as const;
  const worst = Object.fromEntries(
    Object.entries(own).map(([key, kind]) => {
      const units = table.peak(key)[kind] * scale;
      return [
        key,
        {
          kind,
          unitsPerSecond: Math.round(units * 10) / 10,
          percentOfLimit: Math.round((1000 * units) / PARTITION_LIMITS[kind]) / 10,
        },
      ];
    }),
  );
  const audited = table.heldItems("AUDIT#").next().value;
  return {
    scenario: "session broker",
    sessionsPerSecond: rate,
    services,
    tenants,
    accountsPerTenant: perTenant,
    permissionSets: setCount,
    containers: containerCount,
    credentialCacheHitRatio: hitRatio,
    assumeRolePerSecond: Math.round(sts.assumeRoleCalls / seconds),
    refused,
    rateLimit: {
      sessionsPerMinutePerService: limitPerMinute,
      sessionsPerSecondPerService: perService,
      withinLimit: perService <= allowedPerService,
      // A window is a minute; the run simulates warmupSeconds + seconds of it.
      countPerWindowAtThisRate: perService * 60,
      highestCountSimulated: maxCount,
    },
    worstSingleService: {
      sessionsPerSecond: allowedPerService,
      keys: worst,
      pass: Object.values(worst).every((k) => k.percentOfLimit <= 100),
    },
    itemBytes: {
      tenant: itemBytes(population.tenantItem(0)),
      account: itemBytes(population.accountItem(0)),
      grant: itemBytes(table.get(keys.grantPartition(serviceName(0)), `TENANT#${ALL_TENANTS}`)),
      permissionSet: itemBytes(table.get(keys.permissionSet(setNames[0] as string).PK, "PERMSET")),
      audit: itemBytes(audited),
    },
    ...pick(report),
  };
}

// ---- 3. Account registration ------------------------------------------------------------------

export interface RegistrationHeatOptions {
  /** Stack registrations (custom resource Create) per second (200). */
  registrationsPerSecond?: number;
  /** Tenants (10,000) a registration picks from at random. */
  tenants?: number;
  /** Seconds measured (10). */
  seconds?: number;
  shards?: number;
}

export async function registrationHeat(options: RegistrationHeatOptions = {}) {
  const rate = options.registrationsPerSecond ?? 200;
  const tenants = options.tenants ?? 10_000;
  const seconds = options.seconds ?? 10;
  const shards = options.shards ?? 16;
  // Existing accounts (10 a tenant); registrations add new ones after them.
  const existing = tenants * 10;

  const population = new Population(
    { accounts: existing, tenants, largestTenantAccounts: 0, largestTenantAt: 0, shards },
    await templates(shards),
  );
  const table = new HeatTable({ generate: population.generate });
  const clock = new SimClock();
  const sts = new StsStub(clock, () => table.counting);
  const tokens = new DynamoRegistrationTokenStore(table.doc, TABLE);
  const trail = new AuditTrail({
    audit: new DynamoAuditStore(table.doc, TABLE, AUDIT_RETENTION_SECONDS),
    clock,
  });
  let answered = 0;
  // As shared/wiring/accounts.ts builds it, with STS, IAM and the response stubbed.
  const registration = new RegistrationService({
    accounts: new AccountService({
      accounts: new DynamoAccountStore(table.doc, TABLE, shards),
      tenants: new TenantLookup(new DynamoTenantReader(table.doc, TABLE)),
      verifier: verifierFor(sts, clock, 20_000),
      trail,
      clock,
      partition: "aws",
      controlPlaneAccountId: CONTROL_PLANE_ACCOUNT,
      regions: sdkRegionCatalog,
    }),
    tokens,
    responder: {
      send: async () => {
        if (table.counting) answered += 1;
      },
    },
    trail,
    clock,
    extraResponseOrigins: [],
    tenants: new DynamoTenantReader(table.doc, TABLE),
    // The stack's own word is read through its role (STS and CloudFormation, not the table).
    confirmation: { confirm: async () => ({ ok: true }) } as unknown as StackConfirmation,
    confirmRetryBudgetMs: 0,
  });

  // Set-up, not counted: one onboarding link's token per registration, made an hour before.
  const draw = random(200);
  const total = rate * seconds;
  const tenantOf = Array.from({ length: total }, () => Math.floor(draw() * tenants));
  const tokenOf = (k: number) => `crt_${String(k).padStart(43, "0")}`;
  table.counting = false;
  clock.ms = T0 - 3600_000;
  for (let k = 0; k < total; k++) {
    const validUntil = new Date(clock.ms + 7 * 24 * 3600_000);
    await tokens.create(
      hashRegistrationToken(tokenOf(k)),
      {
        tenantId: tenantIdOf(tenantOf[k] as number),
        validUntil: validUntil.toISOString(),
        createdAt: clock.now().toISOString(),
      },
      new Date(validUntil.getTime() + 30 * 24 * 3600_000),
    );
  }

  const outcomes: Record<string, number> = {};
  table.phase = "registration";
  for (let s = 0; s < seconds; s++) {
    collectGarbage();
    table.second = s;
    table.counting = true;
    for (let i = 0; i < rate; i++) {
      const k = s * rate + i;
      clock.ms = T0 + s * 1000 + Math.floor((i * 1000) / rate);
      const accountId = accountIdOf(existing + k);
      const stackId = stackIdOf(accountId);
      // What SNS delivers from the tenant stack's custom resource (infra/tenant-role.yaml).
      const message = JSON.stringify({
        RequestType: "Create",
        ServiceToken: "arn:aws:sns:us-east-1:123456789012:control-plane-registration",
        ResponseURL: `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/${encodeURIComponent(stackId)}%7CRegistration%7C${requestIdOf(k)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261207T100000Z&X-Amz-Expires=7200&X-Amz-Signature=${"0".repeat(64)}`,
        StackId: stackId,
        RequestId: requestIdOf(k),
        LogicalResourceId: "Registration",
        ResourceType: "Custom::ControlPlaneRegistration",
        ResourceProperties: {
          ServiceToken: "arn:aws:sns:us-east-1:123456789012:control-plane-registration",
          RegistrationToken: tokenOf(k),
          AccountId: accountId,
          RoleArn: roleArnOf(accountId),
          StackRegion: REGION,
        },
      });
      const outcome = await registration.handle(message);
      const label = outcome.status ?? "UNANSWERED";
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    }
  }
  table.counting = false;
  const registered = table.get(
    keys.account(tenantIdOf(tenantOf[0] as number), accountIdOf(existing)).PK,
    `ACCOUNT#${accountIdOf(existing)}`,
  );
  return {
    scenario: "account registration (stack path)",
    registrationsPerSecond: rate,
    tenants,
    outcomes,
    responsesSent: answered,
    assumeRolePerSecond: Math.round(sts.assumeRoleCalls / seconds),
    itemBytes: {
      account: itemBytes(registered),
      tenant: itemBytes(population.tenantItem(0)),
      audit: itemBytes(table.heldItems("AUDIT#").next().value),
    },
    ...pick(table.report()),
  };
}

// ---- The model --------------------------------------------------------------------------------

export interface HeatModelOptions {
  sweep?: SweepHeatOptions;
  broker?: BrokerHeatOptions;
  registration?: RegistrationHeatOptions;
  /** The comparison runs (shards 1, one worker, one big tenant, one tenant's sessions...); true. */
  variants?: boolean;
}

const hotOf = (scenario: string, report: { hotKeys: HotKey[] }) =>
  report.hotKeys.map((k) => ({ scenario, ...k }));

/** Every scenario, with its comparisons: the object `npx tsx bench/heat.ts` prints. */
export async function heatModel(options: HeatModelOptions = {}) {
  const variants = options.variants ?? true;
  const sweep = await sweepHeat(options.sweep);
  const broker = await brokerHeat(options.broker);
  const registration = await registrationHeat(options.registration);
  const compare = variants
    ? {
        sweepShards1: await sweepHeat({ ...options.sweep, shards: 1, workers: 1 }),
        sweepOneWorker: await sweepHeat({ ...options.sweep, workers: 1 }),
        sweepLargestTenant: await sweepHeat({
          ...options.sweep,
          largestTenantAccounts: options.sweep?.largestTenantAccounts || 10_000,
        }),
        brokerOneTenant: await brokerHeat({ ...options.broker, tenants: 1 }),
        registrationOneTenant: await registrationHeat({ ...options.registration, tenants: 1 }),
      }
    : undefined;
  const brief = (r: ScenarioReport) => ({
    hottestRead: r.hottestRead,
    hottestWrite: r.hottestWrite,
    totalUnitsPerSecond: r.totalUnitsPerSecond,
    pass: r.pass,
  });
  return {
    assumptions: ASSUMPTIONS,
    sweep: {
      ...sweep,
      ...(compare
        ? {
            shards1: {
              shards: 1,
              workers: 1,
              accountsIndexPartitions: compare.sweepShards1.accountsIndexPartitions,
              ...brief(compare.sweepShards1),
              hotKeys: compare.sweepShards1.hotKeys,
            },
          }
        : {}),
    },
    broker,
    registration,
    ...(compare
      ? {
          variants: {
            sweepOneWorker: {
              workers: 1,
              shards: compare.sweepOneWorker.shards,
              ...brief(compare.sweepOneWorker),
              hotKeys: compare.sweepOneWorker.hotKeys,
            },
            sweepLargestTenant: {
              largestTenantAccounts: compare.sweepLargestTenant.largestTenantAccounts,
              ...brief(compare.sweepLargestTenant),
              hotKeys: compare.sweepLargestTenant.hotKeys,
            },
            brokerOneTenant: {
              tenants: 1,
              ...brief(compare.brokerOneTenant),
              hotKeys: compare.brokerOneTenant.hotKeys,
            },
            registrationOneTenant: {
              tenants: 1,
              ...brief(compare.registrationOneTenant),
              hotKeys: compare.registrationOneTenant.hotKeys,
            },
          },
        }
      : {}),
    pass: sweep.pass && broker.pass && registration.pass,
    hotKeys: [
      ...hotOf("sweep", sweep),
      ...hotOf("broker", broker),
      ...hotOf("registration", registration),
      ...(compare
        ? [
            ...hotOf("sweep, shards 1", compare.sweepShards1),
            ...hotOf("sweep, 1 worker", compare.sweepOneWorker),
            ...hotOf("sweep, largest tenant", compare.sweepLargestTenant),
            ...hotOf("broker, one tenant", compare.brokerOneTenant),
            ...hotOf("registration, one tenant", compare.registrationOneTenant),
          ]
        : []),
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = JSON.parse(process.argv[2] ?? "{}") as HeatModelOptions;
  heatModel(options).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
