/**
 * In-memory implementations of the ports, with the same conditional-write semantics as the
 * DynamoDB adapters (versions, tenant must be ACTIVE, tokens bound once). For service tests and
 * the model-based tests; adapter behaviour itself is tested against the emulator.
 */

import { guardLost } from "../../shared/adapters/versioned-put";
import type { Account } from "../../shared/domain/account";
import type { ApiKey } from "../../shared/domain/api-key";
import { type Actor, type AuditRecord, auditTrailOf } from "../../shared/domain/audit";
import {
  ExternalIdTakenError,
  RoleAccessError,
  StaleAccountError,
  StaleOrganizationError,
  StaleTenantError,
  TenantNotActiveError,
} from "../../shared/domain/errors";
import { ALL_TENANTS, type Grant } from "../../shared/domain/grant";
import type { OrganizationConnection } from "../../shared/domain/organization";
import type { OrganizationJob } from "../../shared/domain/organization-job";
import type { PermissionSet } from "../../shared/domain/permission-set";
import type { BrokerState } from "../../shared/domain/session";
import type { ExternalIdState, Tenant } from "../../shared/domain/tenant";
import { ConflictError, TenantNotFoundError } from "../../shared/errors";
import type {
  AccountStore,
  AssumeRoleRequest,
  AwsCredentials,
  RegistrationTokenRecord,
  RegistrationTokenStore,
  TenantRoleGateway,
  WriteGuard,
} from "../../shared/ports/accounts";
import type { BrokerStore, GrantStore, PermissionSetStore } from "../../shared/ports/brokering";
import type {
  AuditStore,
  Clock,
  IdempotencyRecord,
  IdempotencyStore,
  MetricsSink,
  Page,
  PageRequest,
  RateCounterStore,
} from "../../shared/ports/common";
import type { OrganizationJobStore, OrganizationStore } from "../../shared/ports/organizations";
import type { ApiKeyStore, TenantStore } from "../../shared/ports/tenants";

const clone = <T>(v: T): T => structuredClone(v);

/** Offset cursors: enough for tests, never handed to a client. */
function paged<T>(all: T[], page: PageRequest): Page<T> {
  const start = page.cursor ? Number(page.cursor) : 0;
  const items = all.slice(start, start + page.limit).map(clone);
  const next = start + page.limit;
  return next < all.length ? { items, nextCursor: String(next) } : { items };
}

export class MemoryTenantStore implements TenantStore {
  readonly tenants = new Map<string, Tenant>();
  readonly externalIds = new Map<string, string>();
  /** Called by purge, so the other stores drop what hangs off the tenant. */
  readonly onPurge: ((tenantId: string) => void)[] = [];
  /** The tenant's accounts, as the account store has them (none without one). */
  accountsOf: (tenantId: string) => Account[] = () => [];

  async create(tenant: Tenant): Promise<void> {
    if (this.externalIds.has(tenant.externalId.current)) throw new ExternalIdTakenError();
    this.externalIds.set(tenant.externalId.current, tenant.tenantId);
    this.tenants.set(tenant.tenantId, clone(tenant));
  }
  async get(tenantId: string) {
    const t = this.tenants.get(tenantId);
    return t && clone(t);
  }
  async list(page: PageRequest) {
    return paged([...this.tenants.values()], page);
  }
  async updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string) {
    const stored = this.tenants.get(tenant.tenantId);
    if (!stored || stored.version !== tenant.version || stored.status !== "ACTIVE")
      throw new StaleTenantError(tenant.tenantId);
    if (this.externalIds.has(next.current)) throw new ExternalIdTakenError();
    this.externalIds.set(next.current, tenant.tenantId);
    const updated = { ...stored, externalId: next, updatedAt, version: stored.version + 1 };
    this.tenants.set(tenant.tenantId, updated);
    return clone(updated);
  }
  async rotationAccounts(tenantId: string) {
    return this.accountsOf(tenantId).map(({ accountId, status, acceptedExternalId }) => ({
      accountId,
      status,
      ...(acceptedExternalId === undefined ? {} : { acceptedExternalId }),
    }));
  }
  async setSuspended(tenantId: string, suspended: boolean, at: string) {
    const stored = this.tenants.get(tenantId);
    if (stored?.status !== "ACTIVE") return undefined;
    const { suspended: _s, suspendedAt: _a, ...rest } = stored;
    const updated: Tenant = {
      ...rest,
      ...(suspended ? { suspended: true, suspendedAt: at } : {}),
      updatedAt: at,
      version: stored.version + 1,
    };
    this.tenants.set(tenantId, updated);
    return clone(updated);
  }
  async markDeleting(tenantId: string, updatedAt: string) {
    const stored = this.tenants.get(tenantId);
    if (!stored) return false;
    this.tenants.set(tenantId, { ...stored, status: "DELETING", updatedAt });
    return true;
  }
  async purge(tenantId: string) {
    this.tenants.delete(tenantId);
    for (const [id, owner] of this.externalIds) if (owner === tenantId) this.externalIds.delete(id);
    for (const drop of this.onPurge) drop(tenantId);
  }
  /** Throws like the adapters' conditional writes when the tenant is not ACTIVE. */
  requireActive(tenantId: string) {
    const t = this.tenants.get(tenantId);
    if (!t) throw new TenantNotFoundError(tenantId);
    if (t.status !== "ACTIVE") throw new TenantNotActiveError(tenantId);
  }
}

const accountKey = (tenantId: string, accountId: string) => `${tenantId}/${accountId}`;

export class MemoryAccountStore implements AccountStore {
  readonly accounts = new Map<string, Account>();
  /** Whether a write's guard holds (the organization job store's lease); unset: a guard fails. */
  guardHolds?: (guard: WriteGuard) => boolean;
  constructor(private readonly tenants: MemoryTenantStore) {
    tenants.onPurge.push((tenantId) => {
      for (const [k, a] of this.accounts) if (a.tenantId === tenantId) this.accounts.delete(k);
    });
    tenants.accountsOf = (tenantId) =>
      [...this.accounts.values()].filter((a) => a.tenantId === tenantId).map(clone);
  }
  /** The registration tokens a stack's Create binds in the same write (its guard). */
  tokens?: MemoryRegistrationTokenStore;
  async put(account: Account, expectedVersion: number | undefined, guard?: WriteGuard) {
    const key = accountKey(account.tenantId, account.accountId);
    const stored = this.accounts.get(key);
    if (guard && "organizationJob" in guard && !this.guardHolds?.(guard)) throw guardLost(guard);
    if (guard && "registrationToken" in guard) {
      const t = guard.registrationToken;
      if (!this.tokens?.canBind(t.tokenHash, t.stackId)) throw guardLost(guard);
    }
    if (expectedVersion === undefined) {
      this.tenants.requireActive(account.tenantId);
      if (stored) throw new StaleAccountError(account.accountId);
    } else if (stored?.version !== expectedVersion) {
      throw new StaleAccountError(account.accountId);
    }
    // As one transaction: the token is bound only with the write.
    if (guard && "registrationToken" in guard)
      await this.tokens?.bind(guard.registrationToken.tokenHash, guard.registrationToken.stackId);
    this.accounts.set(key, clone(account));
  }
  async get(tenantId: string, accountId: string) {
    const a = this.accounts.get(accountKey(tenantId, accountId));
    return a && clone(a);
  }
  async list(tenantId: string, page: PageRequest) {
    const all = [...this.accounts.values()]
      .filter((a) => a.tenantId === tenantId)
      .sort((a, b) => a.accountId.localeCompare(b.accountId));
    return paged(all, page);
  }
  async markDenied(tenantId: string, accountId: string, at: string, message: string) {
    const key = accountKey(tenantId, accountId);
    const a = this.accounts.get(key);
    if (!a || (a.status !== "VERIFIED" && a.status !== "FAILED")) return;
    this.accounts.set(key, {
      ...a,
      status: "FAILED",
      lastVerification: { at, code: "ACCESS_DENIED", message },
      updatedAt: at,
      version: a.version + 1,
    });
  }
  async recordExternalId(tenantId: string, accountId: string, roleArn: string, id: string) {
    const key = accountKey(tenantId, accountId);
    const a = this.accounts.get(key);
    if (a && a.roleArn === roleArn) this.accounts.set(key, { ...a, acceptedExternalId: id });
  }
  async delete(tenantId: string, accountId: string, expectedVersion?: number) {
    const key = accountKey(tenantId, accountId);
    const a = this.accounts.get(key);
    if (!a || (expectedVersion !== undefined && a.version !== expectedVersion)) return false;
    this.accounts.delete(key);
    return true;
  }
}

export class MemoryRegistrationTokenStore implements RegistrationTokenStore {
  readonly tokens = new Map<string, RegistrationTokenRecord>();
  constructor(tenants: MemoryTenantStore) {
    tenants.onPurge.push((tenantId) => {
      for (const [k, t] of this.tokens) if (t.tenantId === tenantId) this.tokens.delete(k);
    });
  }
  async create(hash: string, record: RegistrationTokenRecord) {
    this.tokens.set(hash, clone(record));
  }
  async find(hash: string) {
    const t = this.tokens.get(hash);
    return t && clone(t);
  }
  canBind(hash: string, stackId: string): boolean {
    const t = this.tokens.get(hash);
    return t !== undefined && (t.boundStackId === undefined || t.boundStackId === stackId);
  }
  async bind(hash: string, stackId: string) {
    const t = this.tokens.get(hash);
    if (!t) return false;
    if (t.boundStackId !== undefined) return t.boundStackId === stackId;
    this.tokens.set(hash, { ...t, boundStackId: stackId });
    return true;
  }
}

export class MemoryOrganizationStore implements OrganizationStore {
  readonly connections = new Map<string, OrganizationConnection>();
  constructor(private readonly tenants: MemoryTenantStore) {
    tenants.onPurge.push((tenantId) => this.connections.delete(tenantId));
  }
  async get(tenantId: string) {
    const c = this.connections.get(tenantId);
    return c && clone(c);
  }
  async put(connection: OrganizationConnection, expectedVersion: number | undefined) {
    const stored = this.connections.get(connection.tenantId);
    if (expectedVersion === undefined) {
      this.tenants.requireActive(connection.tenantId);
      if (stored) throw new StaleOrganizationError(connection.tenantId);
    } else if (stored?.version !== expectedVersion) {
      throw new StaleOrganizationError(connection.tenantId);
    }
    this.connections.set(connection.tenantId, clone(connection));
  }
  async delete(tenantId: string) {
    return this.connections.delete(tenantId);
  }
  async list(page: PageRequest) {
    return paged([...this.connections.values()], page);
  }
}

/**
 * The latest organization job per tenant, with the DynamoDB store's conditions (start in place of
 * the job read, the lease's fencing sequence, saves only by the holder at its sequence). The state
 * is kept as JSON text, as the table keeps it (compressed there), and every write is counted.
 */
export class MemoryOrganizationJobStore implements OrganizationJobStore {
  readonly jobs = new Map<string, OrganizationJob>();
  readonly states = new Map<string, string>();
  writes = 0;
  stateWrites = 0;
  /** `organizations`: a job starts only for a connection that is there and not disconnecting. */
  constructor(
    tenants?: MemoryTenantStore,
    private readonly organizations?: MemoryOrganizationStore,
  ) {
    tenants?.onPurge.push((tenantId) => {
      this.jobs.delete(tenantId);
      this.states.delete(tenantId);
    });
  }
  async get(tenantId: string) {
    const job = this.jobs.get(tenantId);
    return job && clone(job);
  }
  async start(job: OrganizationJob, replacing: string | undefined) {
    const stored = this.jobs.get(job.tenantId);
    if (replacing === undefined ? stored !== undefined : stored?.jobId !== replacing) return false;
    const connection = this.organizations?.connections.get(job.tenantId);
    if (this.organizations && (!connection || connection.disconnecting)) return false;
    this.writes += 1;
    this.jobs.set(job.tenantId, clone(job));
    this.states.delete(job.tenantId);
    return true;
  }
  async acquire(
    tenantId: string,
    jobId: string,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ) {
    const job = this.jobs.get(tenantId);
    if (!job || job.jobId !== jobId || job.status !== "RUNNING") return undefined;
    const free = job.holder === undefined || job.leaseUntilMs < nowMs;
    const next = expectedSeq !== undefined && job.holder === holder && job.seq === expectedSeq;
    if (!free && !next) return undefined;
    this.writes += 1;
    Object.assign(job, { holder, leaseUntilMs: untilMs, seq: job.seq + 1 });
    return clone(job);
  }
  async loadState(job: OrganizationJob) {
    const text = this.jobs.get(job.tenantId)?.jobId === job.jobId && this.states.get(job.tenantId);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
  async save(job: OrganizationJob, state: unknown | undefined) {
    const stored = this.jobs.get(job.tenantId);
    if (
      !stored ||
      stored.jobId !== job.jobId ||
      stored.holder !== job.holder ||
      stored.seq !== job.seq
    )
      return false;
    this.writes += 1;
    this.jobs.set(job.tenantId, clone(job));
    if (state === undefined) this.states.delete(job.tenantId);
    else {
      this.stateWrites += 1;
      this.states.set(job.tenantId, JSON.stringify(state));
    }
    return true;
  }
  async delete(tenantId: string) {
    this.jobs.delete(tenantId);
    this.states.delete(tenantId);
  }
  /** What DynamoDB's ConditionCheck on the job item decides for a guarded write. */
  holds(guard: WriteGuard): boolean {
    if (!("organizationJob" in guard)) return false;
    const g = guard.organizationJob;
    const job = this.jobs.get(g.tenantId);
    return job?.jobId === g.jobId && job.holder === g.holder && job.seq === g.seq;
  }
}

export class MemoryApiKeyStore implements ApiKeyStore {
  /** Keys by the hash of their secret, as the table keeps them. */
  readonly byHash = new Map<string, ApiKey>();
  /** Every hash looked up, in order (what a cache must save). */
  readonly lookups: string[] = [];
  async create(key: ApiKey, secretHash: string) {
    this.byHash.set(secretHash, clone(key));
  }
  async findByHash(secretHash: string) {
    this.lookups.push(secretHash);
    const k = this.byHash.get(secretHash);
    return k && clone(k);
  }
  async get(keyId: string) {
    const k = [...this.byHash.values()].find((x) => x.keyId === keyId);
    return k && clone(k);
  }
  async list(page: PageRequest) {
    return paged(
      [...this.byHash.values()].sort((a, b) => a.keyId.localeCompare(b.keyId)),
      page,
    );
  }
  async revoke(keyId: string, revokedAt: string) {
    const k = [...this.byHash.values()].find((x) => x.keyId === keyId);
    if (!k) return undefined;
    k.revokedAt ??= revokedAt;
    return clone(k);
  }
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  /** When set, every write throws it (as the adapter throws ServiceUnavailableError when throttled). */
  failWrites?: Error;
  async write(record: AuditRecord) {
    if (this.failWrites) throw this.failWrites;
    this.records.push(clone(record));
  }
  private trail(trail: string, q: { from?: string; to?: string } & PageRequest) {
    const all = this.records
      .filter((r) => auditTrailOf(r) === trail)
      .filter(
        (r) => (q.from === undefined || r.at >= q.from) && (q.to === undefined || r.at <= q.to),
      )
      .reverse();
    return paged(all, q);
  }
  async list(tenantId: string, q: { from?: string; to?: string } & PageRequest) {
    return this.trail(tenantId, q);
  }
  async listPlatform(q: { from?: string; to?: string } & PageRequest) {
    return this.trail("PLATFORM", q);
  }
}

export class MemoryPermissionSetStore implements PermissionSetStore {
  readonly sets = new Map<string, PermissionSet>();
  async put(set: PermissionSet) {
    const created = !this.sets.has(set.name);
    this.sets.set(set.name, clone(set));
    return { created };
  }
  async get(name: string) {
    const s = this.sets.get(name);
    return s && clone(s);
  }
  async list(page: PageRequest) {
    return paged([...this.sets.values()], page);
  }
  async delete(name: string) {
    return this.sets.delete(name);
  }
  async getMany(names: string[]) {
    return names.flatMap((n) =>
      this.sets.has(n) ? [clone(this.sets.get(n) as PermissionSet)] : [],
    );
  }
}

export class MemoryGrantStore implements GrantStore {
  readonly grants = new Map<string, Grant>();
  constructor(private readonly tenants: MemoryTenantStore) {
    tenants.onPurge.push((tenantId) => {
      for (const [k, g] of this.grants) if (g.tenantId === tenantId) this.grants.delete(k);
    });
  }
  async create(grant: Grant) {
    if (grant.tenantId !== ALL_TENANTS) this.tenants.requireActive(grant.tenantId);
    for (const g of this.grants.values())
      if (g.service === grant.service && g.tenantId === grant.tenantId)
        throw new ConflictError("GRANT_EXISTS", "A grant for this service and tenant exists");
    this.grants.set(grant.grantId, clone(grant));
  }
  async get(grantId: string) {
    const g = this.grants.get(grantId);
    return g && clone(g);
  }
  async list(page: PageRequest) {
    return paged([...this.grants.values()], page);
  }
  async listForService(service: string) {
    return [...this.grants.values()]
      .filter((g) => g.service === service)
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId))
      .map(clone);
  }
  async delete(grantId: string) {
    return this.grants.delete(grantId);
  }
  find(service: string, tenantId: string) {
    return [...this.grants.values()].find((g) => g.service === service && g.tenantId === tenantId);
  }
}

/** Idempotency records with the adapter's rule: only an expired or abandoned record is taken over. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async claim(scope: string, keyHash: string, record: IdempotencyRecord, nowMs: number) {
    const held = this.records.get(`${scope}/${keyHash}`);
    const free =
      !held ||
      held.expiresAt < Math.floor(nowMs / 1000) ||
      (held.status === "IN_PROGRESS" && held.inProgressUntil < nowMs);
    if (!free) return { claimed: false as const, holder: clone(held) };
    this.records.set(`${scope}/${keyHash}`, clone(record));
    return { claimed: true as const };
  }
  async complete(scope: string, keyHash: string, record: IdempotencyRecord) {
    this.records.set(`${scope}/${keyHash}`, clone(record));
  }
  async release(scope: string, keyHash: string) {
    this.records.delete(`${scope}/${keyHash}`);
  }
}

/** Metrics as emitted, for assertions. */
export class MemoryMetrics implements MetricsSink {
  readonly emitted: { name: string; value: number; dimensions: Record<string, string> }[] = [];
  count(name: string, value = 1, dimensions: Record<string, string> = {}) {
    this.emitted.push({ name, value, dimensions });
  }
  duration(name: string, ms: number, dimensions: Record<string, string> = {}) {
    this.emitted.push({ name, value: ms, dimensions });
  }
  /** The sum of one metric's values, optionally for one dimension value. */
  total(name: string, dimensions: Record<string, string> = {}) {
    return this.emitted
      .filter(
        (m) =>
          m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v),
      )
      .reduce((sum, m) => sum + m.value, 0);
  }
}

/** Rate counters with the adapter's rule: a full window refuses and changes nothing. */
export class MemoryRateCounterStore implements RateCounterStore {
  readonly counts = new Map<string, number>();
  async take(subject: string, windowStart: number, limit: number, _expiresAt: number) {
    const key = `${subject}@${windowStart}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }
}

/** A tenant role as the fake STS and IAM see it. */
export interface FakeRole {
  /** The account the role's sessions land in; the ARN's account by default. */
  account?: string;
  /** The trust policy iam:GetRole returns. */
  trustPolicy: unknown;
  /**
   * The external IDs AssumeRole accepts: by default those the trust policy names under
   * StringEquals sts:ExternalId; "any" for a role that does not check (none presented included).
   */
  acceptsExternalIds?: string[] | "any";
}

type RoleOperation = "assumeRole" | "callerIdentity" | "roleTrustPolicy";

/**
 * STS and IAM of tenant accounts, in memory: roles by ARN, AssumeRole decided on the external ID
 * as the trust policy asks, sessions that know their role. Faults are injected per operation, as
 * the adapter reports them (RoleAccessError codes, or any error given). Mapping AWS's own errors
 * to those is the adapter's, tested in test/unit/adapters/aws-tenant-role-gateway.test.ts.
 */
export class FakeTenantRoleGateway implements TenantRoleGateway {
  /** Roles by ARN. */
  readonly roles = new Map<string, FakeRole>();
  /** Every AssumeRole request, refused ones included, in order. */
  readonly assumed: AssumeRoleRequest[] = [];
  /** Regions whose STS answers RegionDisabledException. */
  readonly disabledRegions = new Set<string>();
  /** Runs at the start of every call: latency, a clock that moves, a concurrency count. */
  beforeCall?: (operation: RoleOperation, request?: AssumeRoleRequest) => Promise<void> | void;
  private readonly faults: Record<RoleOperation, { error: () => Error; times: number }[]> = {
    assumeRole: [],
    callerIdentity: [],
    roleTrustPolicy: [],
  };
  private readonly sessions = new Map<string, { roleArn: string; sessionName: string }>();
  private issued = 0;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  /** Adds a role; the trust policy and the rest as given. */
  role(arn: string, role: FakeRole): this {
    this.roles.set(arn, role);
    return this;
  }

  /**
   * The next `times` calls of `operation` fail (all of them by default): with a RoleAccessError of
   * that code, or with the error given.
   */
  fail(operation: RoleOperation, fault: string | Error, times = Number.POSITIVE_INFINITY): this {
    const error = () =>
      typeof fault === "string"
        ? new RoleAccessError(fault as RoleAccessError["code"], `injected ${fault}`)
        : fault;
    this.faults[operation].push({ error, times });
    return this;
  }

  async assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials> {
    this.assumed.push(structuredClone(request));
    await this.enter("assumeRole", request);
    const role = this.roles.get(request.roleArn);
    const accepts = role && (role.acceptsExternalIds ?? externalIdsIn(role.trustPolicy));
    const allowed =
      accepts === "any" ||
      (accepts !== undefined &&
        request.externalId !== undefined &&
        accepts.includes(request.externalId));
    if (!role || !allowed)
      throw new RoleAccessError("ACCESS_DENIED", `not authorized to assume ${request.roleArn}`);
    this.issued += 1;
    const accessKeyId = `ASIAFAKE${String(this.issued).padStart(8, "0")}`;
    this.sessions.set(accessKeyId, { roleArn: request.roleArn, sessionName: request.sessionName });
    return {
      accessKeyId,
      secretAccessKey: `fake-secret-${this.issued}`,
      sessionToken: `fake-token-${this.issued}`,
      expiration: new Date(this.clock.now().getTime() + request.durationSeconds * 1000),
      assumedRoleArn: this.assumedRoleArn(request.roleArn, request.sessionName),
    };
  }

  async callerIdentity(credentials: AwsCredentials, region: string) {
    await this.enter("callerIdentity");
    if (this.disabledRegions.has(region))
      throw new RoleAccessError("REGION_DISABLED", `${region} is not enabled`);
    const session = this.session(credentials);
    const role = this.roles.get(session.roleArn);
    return {
      account: role?.account ?? accountOf(session.roleArn),
      arn: this.assumedRoleArn(session.roleArn, session.sessionName),
    };
  }

  async roleTrustPolicy(credentials: AwsCredentials, roleName: string, _region: string) {
    await this.enter("roleTrustPolicy");
    const session = this.session(credentials);
    const role = this.roles.get(session.roleArn);
    if (!role || !session.roleArn.endsWith(`/${roleName}`))
      throw new RoleAccessError("ROLE_NOT_FOUND", `no role ${roleName}`);
    return structuredClone(role.trustPolicy);
  }

  private async enter(operation: RoleOperation, request?: AssumeRoleRequest) {
    await this.beforeCall?.(operation, request);
    const fault = this.faults[operation][0];
    if (!fault) return;
    fault.times -= 1;
    if (fault.times <= 0) this.faults[operation].shift();
    throw fault.error();
  }

  private session(credentials: AwsCredentials) {
    const session = this.sessions.get(credentials.accessKeyId);
    if (!session) throw new RoleAccessError("EXPIRED_TOKEN", "unknown session");
    return session;
  }

  private assumedRoleArn(roleArn: string, sessionName: string) {
    const role = this.roles.get(roleArn);
    const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    return `arn:aws:sts::${role?.account ?? accountOf(roleArn)}:assumed-role/${name}/${sessionName}`;
  }
}

const accountOf = (arn: string) => arn.split(":")[4] ?? "";

/** The values a trust policy requires of sts:ExternalId (StringEquals), over its statements. */
function externalIdsIn(policy: unknown): string[] {
  const statements = (policy as { Statement?: unknown })?.Statement;
  return (Array.isArray(statements) ? statements : [statements]).flatMap((st) => {
    const value = (st as { Condition?: { StringEquals?: Record<string, unknown> } })?.Condition
      ?.StringEquals?.["sts:ExternalId"];
    return typeof value === "string" ? [value] : Array.isArray(value) ? value.map(String) : [];
  });
}

/** The broker's one read, over the other in-memory stores. */
export class MemoryBrokerStore implements BrokerStore {
  constructor(
    private readonly stores: {
      tenants: MemoryTenantStore;
      accounts: MemoryAccountStore;
      grants: MemoryGrantStore;
      permissionSets: MemoryPermissionSetStore;
    },
  ) {}
  async load(q: { tenantId: string; accountId: string; service: string; permissionSet?: string }) {
    const state: BrokerState = {};
    const tenant = await this.stores.tenants.get(q.tenantId);
    const account = await this.stores.accounts.get(q.tenantId, q.accountId);
    const grantForTenant = this.stores.grants.find(q.service, q.tenantId);
    const grantForAll = this.stores.grants.find(q.service, ALL_TENANTS);
    const permissionSet = q.permissionSet
      ? await this.stores.permissionSets.get(q.permissionSet)
      : undefined;
    if (tenant) state.tenant = tenant;
    if (account) state.account = account;
    if (grantForTenant) state.grantForTenant = clone(grantForTenant);
    if (grantForAll) state.grantForAll = clone(grantForAll);
    if (permissionSet) state.permissionSet = permissionSet;
    return state;
  }
}

/** An admin acting through the API, for service calls in tests. */
export const testActor = (requestId = "req-test", keyId = "key_admin"): Actor => ({
  requestId,
  keyId,
  keyRole: "admin",
});
