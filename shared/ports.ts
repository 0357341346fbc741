/**
 * The interfaces the services depend on. Concrete adapters live in shared/adapters and are wired
 * in shared/wiring/; tests hand in their own (test/support/memory.ts).
 */
import type { Account } from "./domain/account";
import type { ApiKey } from "./domain/api-key";
import type { AuditRecord } from "./domain/audit";
import type { Grant } from "./domain/grant";
import type { AccountHealth, HealthChange } from "./domain/health";
import type { MetricName } from "./domain/metrics";
import type { OrganizationConnection, OrganizationMember } from "./domain/organization";
import type { OrganizationJob } from "./domain/organization-job";
import type { PermissionSet } from "./domain/permission-set";
import type { StackView } from "./domain/stack-message";
import type { ExternalIdState, RotationAccount, Tenant } from "./domain/tenant";

export interface Clock {
  now(): Date;
}

export type { RandomSource } from "./domain/random";

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** The key that seals list cursors (shared/adapters/sharded-index.ts), fetched once per container. */
export interface CursorKey {
  key(): Promise<Uint8Array>;
}

export interface TenantStore {
  /** Creates the tenant and reserves its external ID; throws ExternalIdTakenError if the ID is in use. */
  create(tenant: Tenant): Promise<void>;
  get(tenantId: string): Promise<Tenant | undefined>;
  list(page: PageRequest): Promise<Page<Tenant>>;
  /**
   * Replaces the external ID state if the stored tenant still has the version of `tenant` (as read)
   * and is ACTIVE; reserves the new ID; returns the tenant as written by this call. Throws
   * StaleTenantError on a concurrent change, ExternalIdTakenError on collision.
   */
  updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string): Promise<Tenant>;
  /** Sets or clears suspension; undefined when the tenant does not exist (or is being deleted). */
  setSuspended(tenantId: string, suspended: boolean, at: string): Promise<Tenant | undefined>;
  /** Marks the tenant DELETING (no new children can attach); false if it did not exist. */
  markDeleting(tenantId: string, updatedAt: string): Promise<boolean>;
  /** Removes the tenant, its reserved external IDs and everything stored under it (API keys included). */
  purge(tenantId: string): Promise<void>;
}

/** What the rotation rule reads of a tenant's accounts (a port of its own: only rotation reads it). */
export interface RotationAccountReader {
  /**
   * Every account of the tenant, with only its status and the external ID its role last accepted:
   * one strongly consistent paged read of the tenant's accounts.
   */
  rotationAccounts(tenantId: string): Promise<RotationAccount[]>;
}

export interface ApiKeyStore {
  /** Stores a key by the hash of its secret; a tenant key only while its tenant is ACTIVE. */
  create(key: ApiKey, secretHash: string): Promise<void>;
  /**
   * The key as last written, revocation included (strongly consistent: authentication of every
   * request that changes state rests on it).
   */
  findByHash(secretHash: string): Promise<ApiKey | undefined>;
  get(keyId: string): Promise<ApiKey | undefined>;
  list(page: PageRequest): Promise<Page<ApiKey>>;
  /** Sets revokedAt (idempotent); returns the key, or undefined when unknown. */
  revoke(keyId: string, revokedAt: string): Promise<ApiKey | undefined>;
}

// ---- Tenant accounts and their roles ---------------------------------------------------------

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
  /** arn:<p>:sts::<account>:assumed-role/<role>/<session>, as STS reported it. */
  assumedRoleArn?: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  /** Omitted only by the negative probe ("the role must refuse a request without it"). */
  externalId?: string;
  sessionName: string;
  durationSeconds: number;
  /** The regional STS endpoint to call. */
  region: string;
  sourceIdentity?: string;
  tags?: { key: string; value: string }[];
  /** Inline session policy (JSON). */
  policy?: string;
}

/** STS and IAM as seen from the control plane's access roles. Errors are RoleAccessError. */
export interface TenantRoleGateway {
  assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials>;
  callerIdentity(
    credentials: AwsCredentials,
    region: string,
  ): Promise<{ account: string; arn: string }>;
  /** The role's trust policy document, read with the role's own credentials (iam:GetRole on itself). */
  roleTrustPolicy(credentials: AwsCredentials, roleName: string, region: string): Promise<unknown>;
}

/**
 * Reads one CloudFormation stack through a tenant role's session (cloudformation:DescribeStacks on
 * the stack, which the tenant template allows the role). Undefined when no stack has that ID.
 * Errors are RoleAccessError.
 */
export interface StackReader {
  describe(
    credentials: AwsCredentials,
    stackId: string,
    region: string,
  ): Promise<StackView | undefined>;
}

/** The emergency brake's IAM calls, through the role's own session. Errors are RoleAccessError. */
export interface RoleBrakeGateway {
  attach(
    credentials: AwsCredentials,
    roleName: string,
    policyArn: string,
    region: string,
  ): Promise<void>;
  detach(
    credentials: AwsCredentials,
    roleName: string,
    policyArn: string,
    region: string,
  ): Promise<void>;
  /** The ARNs of the managed policies attached to the role. */
  attached(credentials: AwsCredentials, roleName: string, region: string): Promise<string[]>;
  /**
   * Makes `document` the default version of the managed policy, deleting the oldest non-default
   * versions first (IAM keeps at most five).
   */
  rewritePolicy(
    credentials: AwsCredentials,
    policyArn: string,
    document: string,
    region: string,
  ): Promise<void>;
}

export type Sleep = (ms: number) => Promise<void>;

/** The regions AWS has, and their partitions: the SDK's own data (shared/adapters/sdk-region-catalog.ts). */
export interface RegionCatalog {
  isKnown(region: string): boolean;
  /** The partition a well-formed region name belongs to (aws, aws-cn, aws-us-gov, aws-eusc, ...). */
  partitionOf(region: string): string;
}

/**
 * A condition an account write carries: here, that the organization job making it still holds its
 * lease (the job, its holder and sequence unchanged). Checked atomically with the write.
 */
export type WriteGuard =
  | { organizationJob: { tenantId: string; jobId: string; holder: string; seq: number } }
  /**
   * A stack's Create: the registration token is bound to the stack in the same transaction, only if
   * it is unbound or bound to that stack already (else RegistrationTokenSpentError, nothing
   * written). A registration that fails leaves the token as it was.
   */
  | { registrationToken: { tokenHash: string; stackId: string; at: string } };

export interface AccountStore {
  /**
   * Creates the account when `expectedVersion` is undefined (only while the tenant is ACTIVE, and
   * only if it does not exist), else replaces it if the stored version still matches; with a
   * guard, only while the guard holds (else OrganizationJobLostError or
   * RegistrationTokenSpentError, nothing written).
   * Throws StaleAccountError (changed or created concurrently) or TenantNotFoundError.
   */
  put(account: Account, expectedVersion: number | undefined, guard?: WriteGuard): Promise<void>;
  get(tenantId: string, accountId: string): Promise<Account | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<Account>>;
  /** Records that STS refused the role while brokering: FAILED until verified again. */
  markDenied(tenantId: string, accountId: string, at: string, message: string): Promise<void>;
  /**
   * Records the external ID the account's role accepted, if the account still has that role
   * (a no-op when it was deleted or re-registered with another role meanwhile).
   */
  recordExternalId(
    tenantId: string,
    accountId: string,
    roleArn: string,
    externalId: string,
  ): Promise<void>;
  /**
   * Deletes the account; false if it did not exist (or, with `expectedVersion`, changed since it
   * was read: the lifecycle decision was made on that version).
   */
  delete(tenantId: string, accountId: string, expectedVersion?: number): Promise<boolean>;
}

export interface RegistrationTokenRecord {
  tenantId: string;
  /** After this, the token no longer registers new accounts. */
  validUntil: string;
  createdAt: string;
  /**
   * The stack whose first Create used the token. From then on the token is spent for every other
   * stack, and authenticates this stack's Update and Delete only.
   */
  boundStackId?: string;
}

export interface RegistrationTokenStore {
  /** Stores the token's hash, under the tenant (so tenant deletion removes it). */
  create(tokenHash: string, record: RegistrationTokenRecord, retainUntil: Date): Promise<void>;
  find(tokenHash: string): Promise<RegistrationTokenRecord | undefined>;
  /**
   * Binds the token to the stack, unless it is bound to another one already (then false). Binding
   * it again to the same stack is true (a retried Create).
   */
  bind(tokenHash: string, stackId: string, at: string): Promise<boolean>;
}

/** Answers a CloudFormation custom resource at its pre-signed ResponseURL. */
export interface CustomResourceResponder {
  send(responseUrl: string, body: string): Promise<void>;
}

// ---- Brokering ------------------------------------------------------------------------------

export interface PermissionSetStore {
  put(set: PermissionSet): Promise<{ created: boolean }>;
  get(name: string): Promise<PermissionSet | undefined>;
  list(page: PageRequest): Promise<Page<PermissionSet>>;
  delete(name: string): Promise<boolean>;
  /** The ones of `names` that exist (one BatchGetItem). */
  getMany(names: string[]): Promise<PermissionSet[]>;
}

export interface GrantStore {
  /** Throws ConflictError GRANT_EXISTS for a second grant of the same service and tenant, TenantNotFoundError for a tenant that is not ACTIVE. */
  create(grant: Grant): Promise<void>;
  get(grantId: string): Promise<Grant | undefined>;
  list(page: PageRequest): Promise<Page<Grant>>;
  /** Every grant of one service (one per tenant, and one for all tenants), by tenant ID. */
  listForService(service: string): Promise<Grant[]>;
  delete(grantId: string): Promise<boolean>;
}

export type { BrokerState } from "./domain/session";

import type { BrokerState } from "./domain/session";

/** Everything a session request is decided on, in one read round trip (strongly consistent). */
export interface BrokerStore {
  load(query: {
    tenantId: string;
    accountId: string;
    service: string;
    permissionSet?: string;
  }): Promise<BrokerState>;
}

export interface AuditStore {
  /** Appends the record to its trail (`auditTrailOf`): its tenant's, or the platform's. */
  write(record: AuditRecord): Promise<void>;
  /** A tenant's trail, newest first. */
  list(
    tenantId: string,
    query: { from?: string; to?: string } & PageRequest,
  ): Promise<Page<AuditRecord>>;
  /** The platform's trail (tenants, API keys, grants, permission sets), newest first. */
  listPlatform(query: { from?: string; to?: string } & PageRequest): Promise<Page<AuditRecord>>;
}

// ---- AWS Organizations ------------------------------------------------------------------------

/** AWS Organizations read through the management role's session. Errors are RoleAccessError. */
export interface OrganizationGateway {
  describe(
    credentials: AwsCredentials,
  ): Promise<{ organizationId: string; managementAccountId: string }>;
  /** Every account of the organization (all pages of ListAccounts). */
  accounts(credentials: AwsCredentials): Promise<OrganizationMember[]>;
  /** The direct children of a root or OU (all pages of ListChildren). */
  children(
    credentials: AwsCredentials,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
  ): Promise<string[]>;
}

/**
 * AWS Organizations one page at a time (ListAccounts, ListChildren: at most 20 a page), for a
 * walk that is paced and resumed across invocations (shared/services/organization-walk.ts).
 * Throttling is a RoleAccessError THROTTLED.
 */
export interface OrganizationPages {
  accountsPage(
    credentials: AwsCredentials,
    nextToken?: string,
  ): Promise<{ members: OrganizationMember[]; nextToken?: string }>;
  childrenPage(
    credentials: AwsCredentials,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
    nextToken?: string,
  ): Promise<{ ids: string[]; nextToken?: string }>;
}

export interface OrganizationStore {
  get(tenantId: string): Promise<OrganizationConnection | undefined>;
  /**
   * Creates (expectedVersion undefined: only while the tenant is ACTIVE and none exists) or
   * replaces the connection if its version still matches. Throws StaleOrganizationError.
   */
  put(connection: OrganizationConnection, expectedVersion: number | undefined): Promise<void>;
  delete(tenantId: string): Promise<boolean>;
  /** Every connected organization, page by page (the sync's list). */
  list(page: PageRequest): Promise<Page<OrganizationConnection>>;
}

/** A link of an organization job's chain of invocations (shared/services/organization-job.ts). */
export interface OrganizationJobLink {
  tenantId: string;
  jobId: string;
  /** The chain that holds the job's lease, passed from link to link (a resumed job gets a new one). */
  chain?: string;
  /** The lease's sequence the link expects (its predecessor's): a link delivered twice runs once. */
  seq?: number;
}

/** Runs a link of an organization job in a new invocation of the job function, asynchronously. */
export interface OrganizationJobLauncher {
  launch(link: OrganizationJobLink): Promise<void>;
}

/**
 * A tenant's latest organization job (one item in the tenant's partition) and its saved state
 * (what the walk listed, what is left to register): plain JSON, stored compressed and in chunks.
 */
export interface OrganizationJobStore {
  get(tenantId: string): Promise<OrganizationJob | undefined>;
  /** Puts a new job in place of the one read (`replacing`: its jobId; undefined: none). False when another took its place. */
  start(job: OrganizationJob, replacing: string | undefined): Promise<boolean>;
  /**
   * Takes the RUNNING job's lease for `holder` until `untilMs`, moving its sequence on: when the
   * lease is free or expired, or when `holder` holds it at `expectedSeq`. Undefined otherwise.
   */
  acquire(
    tenantId: string,
    jobId: string,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<OrganizationJob | undefined>;
  /** The state the job saved last (undefined: none yet). */
  loadState(job: OrganizationJob): Promise<unknown | undefined>;
  /**
   * Saves the job (progress, status) and its state (undefined: drops it, the job is finished),
   * only while the job's holder still holds it at its sequence; false when it lost the lease or the
   * job was replaced or deleted.
   */
  save(job: OrganizationJob, state: unknown | undefined): Promise<boolean>;
  /** Forgets the tenant's job (disconnect): a running chain stops at its next save. */
  delete(tenantId: string): Promise<void>;
}

// ---- Health checks ----------------------------------------------------------------------------

/** An account as the sweep reads it from the accounts index, with its current health. */
export type SweptAccount = Account & { health?: AccountHealth };

export interface HealthSweepPorts {
  /**
   * One page of the registered accounts in `shards` of the accounts index (all of them when
   * absent): a Query per shard, never a Scan.
   */
  accounts(
    cursor: string | undefined,
    limit: number,
    shards?: number[],
  ): Promise<Page<SweptAccount>>;
  tenant(tenantId: string): Promise<Tenant | undefined>;
  /**
   * Stores the new health (and the external ID the role accepted, when the check got that far)
   * only if the account is still the one that was checked (same role, not deleted, not
   * re-registered since); false when it was not stored.
   */
  record(
    account: SweptAccount,
    health: AccountHealth,
    acceptedExternalId?: string,
    /** Stored only if the account was not checked since (once per period). */
    notCheckedSince?: string,
  ): Promise<boolean>;
  /** Announces state changes (one event each). */
  publish(changes: HealthStateChange[]): Promise<void>;
}

export type HealthStateChange = HealthChange & { tenantId: string; accountId: string; at: string };

/** The last completed sweep (all the invocations of its chain together). */
export interface SweepSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  checked: number;
  changed: number;
  skipped: number;
  states: Record<"HEALTHY" | "DEGRADED" | "UNHEALTHY", number>;
  oldestCheck?: string;
}

/** The totals a chain carries from one invocation to the next. */
export type SweepTotals = Omit<SweepSummary, "startedAt" | "finishedAt" | "durationMs">;

/**
 * One invocation of the sweep function: the schedule's (no worker: start the period's sweep, or
 * resume its crashed workers), or one link of a worker's chain. Where a worker is, and what it
 * counted, lives in the table (SweepWorkerState), not in the event.
 */
export interface SweepLink {
  runId?: string;
  worker?: number;
  /** The worker chain's lease holder, passed from link to link (a resumed chain gets a new one). */
  chain?: string;
  /**
   * The lease's sequence number the link expects (its predecessor's): each link takes the lease
   * by moving it on, so a link delivered twice runs once.
   */
  seq?: number;
}

/** A sweep: one per period, its id the period's start. */
export interface SweepRun {
  runId: string;
  startedAt: string;
  workers: number;
  shards: number;
  finishedAt?: string;
}

/** A worker's lease, position and totals. */
export interface SweepWorkerState {
  worker: number;
  runId: string;
  /** The chain holding the lease, until leaseUntilMs. */
  holder?: string;
  leaseUntilMs: number;
  /** Moved on by every take of the lease (fencing: a stale or repeated link is refused). */
  seq: number;
  /** Where the next link starts (absent: at the start of the worker's shards). */
  cursor?: string;
  done: boolean;
  totals?: SweepTotals;
}

/** The current sweep, its workers and the summary of the last one (in the table). */
export interface SweepRecords {
  currentRun(): Promise<SweepRun | undefined>;
  /**
   * Starts `run` with its workers at the beginning, if the current run is still `previousRunId`
   * (none: undefined) and finished: false when another start got there first.
   */
  startRun(run: SweepRun, previousRunId: string | undefined): Promise<boolean>;
  workers(runId: string): Promise<SweepWorkerState[]>;
  /**
   * Takes worker `worker`'s lease of run `runId` until `untilMs` for chain `holder`, moving its
   * sequence number on: when the lease is free or expired, or when `holder` holds it at sequence
   * `expectedSeq` (the chain's next link). Undefined when the worker is done, another chain holds
   * it, or the link is stale or repeated.
   */
  acquireWorker(
    runId: string,
    worker: number,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<SweepWorkerState | undefined>;
  /** Saves the holder's position and totals, if it still holds the lease at `seq`. */
  saveWorker(state: SweepWorkerState & { holder: string }): Promise<boolean>;
  /**
   * Marks the run finished and writes its summary, together (one transaction): true for the one
   * caller that did.
   */
  finishRun(runId: string, summary: SweepSummary): Promise<boolean>;
  summary(): Promise<SweepSummary | undefined>;
}

/** The sweep's AssumeRole budget in the table: one counter per key and time slot (leases). */
export interface RateBudgetStore {
  /**
   * Takes up to `want` tokens of time slot `slot` on key `key`, of `capacity` in all: the number
   * granted (0 when the key's share of that slot is spent).
   */
  claim(slot: number, key: number, want: number, capacity: number): Promise<number>;
}

/** Starts the next link of the chain (Lambda: the function invokes itself asynchronously). */
export interface SweepContinuation {
  continueWith(next: SweepLink): Promise<void>;
}

/** A request remembered under its Idempotency-Key (shared/http/idempotency.ts). */
export interface IdempotencyRecord {
  /** IN_PROGRESS while the first request runs; COMPLETED with its answer once it succeeded. */
  status: "IN_PROGRESS" | "COMPLETED";
  /** SHA-256 of the request (params, query, body): the same key with another request is refused. */
  requestHash: string;
  /** The first answer, replayed to retries. */
  response?: unknown;
  /** Epoch seconds after which the record is forgotten (the table's TTL attribute). */
  expiresAt: number;
  /** Epoch milliseconds after which an IN_PROGRESS record is abandoned (its function timed out). */
  inProgressUntil: number;
}

/** Idempotency records, by scope (the operation) and the hash of the caller's key. */
export interface IdempotencyStore {
  /**
   * Takes the key for a new request: true when taken (no record, or only an expired or abandoned
   * one); otherwise the record that holds it, or undefined if it vanished meanwhile.
   */
  claim(
    scope: string,
    keyHash: string,
    record: IdempotencyRecord,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; holder?: IdempotencyRecord }>;
  /** Stores the record of the request that holds the key, now COMPLETED with its answer. */
  complete(scope: string, keyHash: string, record: IdempotencyRecord): Promise<void>;
  /** Forgets the key: the request failed, and its retry must run again. */
  release(scope: string, keyHash: string): Promise<void>;
}

/** Fixed-window request counters (shared/services/rate-limiter.ts). */
export interface RateCounterStore {
  /**
   * Counts one request of `subject` in the window starting at `windowStart` (epoch ms), unless
   * `limit` are counted already: false then, and nothing changes. The counter expires at
   * `expiresAt` (epoch seconds).
   */
  take(subject: string, windowStart: number, limit: number, expiresAt: number): Promise<boolean>;
}

/** Operational metrics (shared/domain/metrics.ts); emitted at once, never batched. */
export interface MetricsSink {
  /** Adds `value` (1 by default) to a count, with the dimensions the metric declares. */
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** A duration in milliseconds. */
  duration(name: MetricName, ms: number, dimensions?: Record<string, string>): void;
}

/** For services built without metrics (tests, tools). */
export const noMetrics: MetricsSink = { count: () => undefined, duration: () => undefined };
