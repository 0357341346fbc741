import type { Account } from "../domain/account";
import { type Actor, accountFields, systemActor } from "../domain/audit";
import {
  OrganizationJobLostError,
  RoleAccessError,
  StaleAccountError,
  VerificationFailedError,
} from "../domain/errors";
import { decide } from "../domain/lifecycle";
import {
  type DetachReason,
  type OrganizationConnection,
  planSync,
  registeredBy,
} from "../domain/organization";
import { emptyProgress, LISTED_FAILURES, type OrganizationJob } from "../domain/organization-job";
import type { RandomSource } from "../domain/random";
import type { VerificationCode } from "../domain/verification";
import { AppError, NotFoundError, ServiceUnavailableError, UnprocessableError } from "../errors";
import type {
  AccountStore,
  AwsCredentials,
  TenantRoleGateway,
  WriteGuard,
} from "../ports/accounts";
import { type Clock, type MetricsSink, noMetrics, type Sleep } from "../ports/common";
import type {
  OrganizationJobLauncher,
  OrganizationJobLink,
  OrganizationJobStore,
  OrganizationPages,
  OrganizationStore,
} from "../ports/organizations";
import type { AccountService } from "./account-service";
import type { AuditTrail } from "./audit-trail";
import { allAccountsOf } from "./organization-records";
import { organizationSession } from "./organization-session";
import { OrganizationWalk, startWalk, type WalkState } from "./organization-walk";
import type { TenantLookup } from "./tenant-lookup";

/** One change to a tenant's accounts made by a sync (an "Organization Account Changed" event). */
export interface OrganizationChange {
  tenantId: string;
  managementAccountId: string;
  accountId: string;
  change: "REGISTERED" | "DETACHED";
  reason?: DetachReason;
  at: string;
}

/**
 * What a job has left to do, saved between invocations (plain JSON): while LISTING, the walk;
 * once planned, the members to register (and those to try once more) and the accounts to detach.
 */
export interface OrganizationJobState {
  walk: WalkState;
  register: string[];
  retry: string[];
  detach: { accountId: string; reason: DetachReason }[];
  /**
   * Changes made and saved, not yet announced: published after the save that records them, and
   * again after a crash before the next save (at least once).
   */
  changes: OrganizationChange[];
  /** Whom the job acts for: the connecting caller, or the schedule. */
  actor: Actor;
}

export interface OrganizationJobsDeps {
  jobs: OrganizationJobStore;
  organizations: Pick<OrganizationStore, "get">;
  accounts: Pick<AccountStore, "get" | "list" | "put">;
  /** Registers members: its verifier does not wait for IAM propagation (the next sync retries). */
  members: Pick<AccountService, "register">;
  trail: AuditTrail;
  tenants: Pick<TenantLookup, "get">;
  gateway: TenantRoleGateway;
  pages: OrganizationPages;
  publish(changes: OrganizationChange[]): Promise<void>;
  clock: Clock;
  sleep: Sleep;
  random: RandomSource;
  /** Registrations at once. */
  concurrency: number;
  /** Organizations API calls a second at most (ORGANIZATION_CALLS_PER_SECOND). */
  callsPerSecond: number;
  /** The longest wait after a throttled call. */
  maxBackoffMs?: number;
  /** How often a running job saves its progress and state (default 30 s). */
  checkpointMs?: number;
  /** What an invocation keeps for its last save and the next link (default 30 s). */
  safetyMs?: number;
  partition: string;
  region: string;
  /** OrganizationJobs, OrganizationSyncAccounts. */
  metrics?: MetricsSink;
}

export type OrganizationJobOutcome =
  | { outcome: "SKIPPED"; reason: string }
  | { outcome: "CONTINUED"; job: OrganizationJob }
  | { outcome: "SUCCEEDED" | "FAILED"; job: OrganizationJob }
  | { outcome: "LOST"; reason: string };

/**
 * Connect and the scheduled sync as one resumable job per organization. A chain of invocations
 * of the job function carries it: each link takes the job's lease (a fencing sequence, as the
 * health sweep's workers do), goes on from the saved state until its time is nearly out, saves,
 * and invokes the next link. The schedule starts each organization's sync once a period and
 * resumes a job whose chain was lost (its lease expired).
 *
 * Phases: LISTING (the walk: ListAccounts, and ListChildren from the chosen OUs, paced below
 * the API's rate, backing off when throttled), then a plan (planSync, against the tenant's
 * accounts), REGISTERING (the new members, `concurrency` at a time, each one verified),
 * DETACHING (the leavers), DONE. A sync that finds nothing to change writes no account, no audit
 * record and no event: only its own job record.
 */
export class OrganizationJobs {
  constructor(private readonly deps: OrganizationJobsDeps) {}

  /** One link of a job's chain: from the saved state until the invocation's time is nearly out. */
  async runLink(
    link: OrganizationJobLink,
    invocation: { id: string; remainingMs: number; launcher: OrganizationJobLauncher },
  ): Promise<OrganizationJobOutcome> {
    const { clock, jobs } = this.deps;
    const start = clock.now().getTime();
    const chain = link.chain ?? invocation.id;
    const deadlineMs = start + invocation.remainingMs - (this.deps.safetyMs ?? 30_000);
    // The lease outlives this invocation by a minute, so that the next link renews it in time.
    const job = await jobs.acquire(
      link.tenantId,
      link.jobId,
      chain,
      link.seq,
      start,
      start + invocation.remainingMs + 60_000,
    );
    if (!job)
      return { outcome: "SKIPPED", reason: "not the running job, or another link holds it" };
    job.invocations += 1;
    const connection = await this.deps.organizations.get(job.tenantId);
    if (!connection || connection.disconnecting)
      return this.fail(job, {
        code: "ORGANIZATION_NOT_CONNECTED",
        message: "The organization was disconnected",
      });
    let state = (await jobs.loadState(job)) as OrganizationJobState | undefined;
    if (!state) {
      // No saved state: a new job, or one whose state is lost (its chunks expired): it starts
      // over (registrations are idempotent), rather than finishing an empty plan.
      if (job.phase !== "LISTING" || job.progress.calls > 0)
        Object.assign(job, { phase: "LISTING", progress: emptyProgress(), failures: [] });
      state = newState(connection, job.actor);
    }
    const run = new JobRun(this.deps, job, state, connection);
    try {
      const done = await run.go(deadlineMs);
      if (!done) {
        if (!(await run.checkpoint())) return lost();
        await invocation.launcher.launch({
          tenantId: job.tenantId,
          jobId: job.jobId,
          chain,
          seq: job.seq,
        });
        return { outcome: "CONTINUED", job };
      }
      return (await run.finish()) ? { outcome: "SUCCEEDED", job } : lost();
    } catch (err) {
      if (err instanceof LostLease || err instanceof OrganizationJobLostError) return lost();
      const tenantError = asJobError(err);
      // Transient (throttled STS, the table, Organizations down): the lease expires and the
      // schedule resumes the job from its last save.
      if (!tenantError) throw err;
      return this.fail(job, tenantError);
    }
  }

  private async fail(
    job: OrganizationJob,
    error: { code: string; message: string },
  ): Promise<OrganizationJobOutcome> {
    const at = this.deps.clock.now().toISOString();
    Object.assign(job, { status: "FAILED", phase: "DONE", error, updatedAt: at, finishedAt: at });
    if (!(await this.deps.jobs.save(job, undefined))) return lost();
    (this.deps.metrics ?? noMetrics).count("OrganizationJobs", 1, {
      kind: job.kind,
      outcome: "FAILED",
    });
    return { outcome: "FAILED", job };
  }
}

const lost = (): OrganizationJobOutcome => ({
  outcome: "LOST",
  reason: "the job was replaced, disconnected or taken over",
});

function newState(
  connection: OrganizationConnection,
  actor: Actor | undefined,
): OrganizationJobState {
  return {
    walk: startWalk(connection.organizationalUnitIds),
    register: [],
    retry: [],
    detach: [],
    changes: [],
    actor: actor ?? systemActor("organization-job", "organization-sync"),
  };
}

/**
 * What stops a job for good: the tenant's to fix (the management role refused, an OU that is
 * gone, the tenant deleted). Undefined: transient (throttling, an expired session, AWS or the
 * table unavailable), resumed later.
 */
function asJobError(err: unknown): { code: string; message: string } | undefined {
  if (
    err instanceof VerificationFailedError ||
    err instanceof UnprocessableError ||
    err instanceof NotFoundError
  )
    return { code: err.code, message: err.message };
  if (err instanceof RoleAccessError && err.code !== "THROTTLED" && err.code !== "EXPIRED_TOKEN")
    return { code: err.code, message: err.message };
  return undefined;
}

/** How long a management-role session is used before the next segment takes a new one. */
const SESSION_REFRESH_MS = 10 * 60_000;

/** One invocation's work on a job. */
class JobRun {
  private lastSaveMs: number;
  private session: { credentials: AwsCredentials; at: number } | undefined;
  private readonly guard: WriteGuard;

  constructor(
    private readonly deps: OrganizationJobsDeps,
    private readonly job: OrganizationJob,
    private readonly state: OrganizationJobState,
    private readonly connection: OrganizationConnection,
  ) {
    this.lastSaveMs = deps.clock.now().getTime();
    // Every account write is conditional on this link still holding the job's lease.
    this.guard = {
      organizationJob: {
        tenantId: job.tenantId,
        jobId: job.jobId,
        holder: job.holder as string,
        seq: job.seq,
      },
    };
  }

  private get now() {
    return this.deps.clock.now().getTime();
  }

  private get nextSaveMs() {
    return this.lastSaveMs + (this.deps.checkpointMs ?? 30_000);
  }

  /** A management-role session, renewed before its 15 minutes run out. */
  private async credentials(): Promise<AwsCredentials> {
    if (this.session && this.now - this.session.at < SESSION_REFRESH_MS)
      return this.session.credentials;
    const tenant = await this.deps.tenants.get(this.job.tenantId);
    const credentials = await organizationSession(
      this.deps,
      tenant,
      this.connection.managementRoleArn,
    );
    this.session = { credentials, at: this.now };
    return credentials;
  }

  /** Works until done (true) or the deadline (false), saving on the way. */
  async go(deadlineMs: number): Promise<boolean> {
    const { job, state } = this;
    if (job.phase === "LISTING") {
      const walk = new OrganizationWalk({
        pages: this.deps.pages,
        clock: this.deps.clock,
        sleep: this.deps.sleep,
        callsPerSecond: this.deps.callsPerSecond,
        maxBackoffMs: this.deps.maxBackoffMs ?? 60_000,
      });
      while (state.walk.phase !== "DONE") {
        // Until the invocation's end or the next save, whichever comes first.
        const last = deadlineMs <= this.nextSaveMs;
        state.walk = await walk.run(
          await this.credentials(),
          state.walk,
          last ? deadlineMs : this.nextSaveMs,
        );
        job.progress.calls = state.walk.calls;
        job.progress.throttled = state.walk.throttled;
        job.progress.listed = state.walk.members.length;
        if (state.walk.phase === "DONE") break;
        if (last) return false;
        if (!(await this.checkpoint())) throw new LostLease();
      }
      await this.plan();
    }
    while (job.phase === "REGISTERING") {
      if (this.now >= deadlineMs) return false;
      const batch = state.register.splice(0, this.deps.concurrency);
      if (batch.length === 0) {
        if (state.retry.length > 0) {
          // Tried once more, after the others; still unavailable: the next sync registers them.
          state.register = state.retry.map((id) => `retry:${id}`);
          state.retry = [];
          continue;
        }
        job.phase = "DETACHING";
        break;
      }
      await Promise.all(batch.map((id) => this.registerMember(id)));
      if (this.now >= this.nextSaveMs && !(await this.checkpoint())) throw new LostLease();
    }
    while (job.phase === "DETACHING") {
      if (this.now >= deadlineMs) return false;
      const next = state.detach.shift();
      if (!next) {
        job.phase = "DONE";
        break;
      }
      await this.detach(next.accountId, next.reason);
      if (this.now >= this.nextSaveMs && !(await this.checkpoint())) throw new LostLease();
    }
    return true;
  }

  /**
   * Saves the job and its state (the changes not yet announced included), then announces them:
   * false when the lease is lost (nothing announced).
   */
  async checkpoint(): Promise<boolean> {
    this.job.updatedAt = this.deps.clock.now().toISOString();
    this.lastSaveMs = this.now;
    if (!(await this.deps.jobs.save(this.job, this.state))) return false;
    if (this.state.changes.length === 0) return true;
    await this.deps.publish(this.state.changes);
    // Announced: saved as such, so that the next link does not announce them again (only a
    // crash between the two saves does).
    this.state.changes = [];
    return this.deps.jobs.save(this.job, this.state);
  }

  /**
   * The job done: saved with what is left to announce, announced, one audit record when
   * something changed, then the job's end. A chain that lost the job says nothing.
   */
  async finish(): Promise<boolean> {
    const { job } = this;
    if (!(await this.checkpoint())) return false;
    const p = job.progress;
    if (p.registered + p.detached > 0)
      await this.deps.trail.record(this.state.actor, {
        action: "ORGANIZATION_SYNC",
        tenantId: job.tenantId,
        managementAccountId: this.connection.managementAccountId,
        registered: p.registered,
        detached: p.detached,
      });
    const at = this.deps.clock.now().toISOString();
    Object.assign(job, { status: "SUCCEEDED", phase: "DONE", updatedAt: at, finishedAt: at });
    if (!(await this.deps.jobs.save(job, undefined))) return false;
    const metrics = this.deps.metrics ?? noMetrics;
    metrics.count("OrganizationJobs", 1, { kind: job.kind, outcome: "SUCCEEDED" });
    for (const result of ["registered", "failed", "detached", "pending"] as const)
      if (p[result] > 0) metrics.count("OrganizationSyncAccounts", p[result], { result });
    return true;
  }

  /** From what the walk listed and the tenant's accounts: what to register and detach. */
  private async plan() {
    const { job, state } = this;
    const accounts = await allAccountsOf(this.deps.accounts, this.job.tenantId);
    const plan = planSync({
      managementAccountId: this.connection.managementAccountId,
      members: state.walk.members,
      inScope: new Set(state.walk.inScope),
      accounts,
    });
    const p = job.progress;
    p.listed = state.walk.members.length;
    p.skipped = plan.skipped.length;
    p.toRegister = plan.register.length;
    // What this job did in a segment whose save was lost (before the plan, which was lost too):
    // counted and announced now.
    const byId = new Map(accounts.map((a) => [a.accountId, a]));
    p.alreadyRegistered = 0;
    for (const accountId of plan.alreadyRegistered) {
      const account = byId.get(accountId) as Account;
      if (this.changedByThisJob(account, account.createdAt)) {
        p.toRegister += 1;
        p.registered += 1;
        this.change(accountId, "REGISTERED");
      } else p.alreadyRegistered += 1;
    }
    for (const account of accounts)
      if (account.status === "DETACHED" && this.changedByThisJob(account, account.detached?.at)) {
        p.detached += 1;
        this.change(account.accountId, "DETACHED", account.detached?.reason);
      }
    p.members =
      plan.register.length +
      plan.alreadyRegistered.length +
      plan.skipped.filter((s) => s.reason !== "MANAGEMENT_ACCOUNT").length;
    state.register = plan.register;
    state.detach = plan.detach.map(({ account, reason }) => ({
      accountId: account.accountId,
      reason,
    }));
    // The walk's lists are not needed any more: the saved state shrinks to the plan.
    state.walk = { ...state.walk, members: [], inScope: [], queue: [], seen: [] };
    job.phase = "REGISTERING";
  }

  /**
   * Whether this job changed the account already, in a segment whose save was lost: an account
   * of this organization created (registered first), or detached, since the job started. (A
   * DETACHED account it registered again in such a segment counts as already registered.)
   */
  private changedByThisJob(account: Account, at: string | undefined): boolean {
    return (
      registeredBy(account, this.connection.managementAccountId) &&
      at !== undefined &&
      at > this.job.startedAt
    );
  }

  private async registerMember(entry: string) {
    const { job, state } = this;
    const lastTry = entry.startsWith("retry:");
    const accountId = lastTry ? entry.slice("retry:".length) : entry;
    const p = job.progress;
    const existing = await this.deps.accounts.get(job.tenantId, accountId);
    if (existing && existing.status !== "DETACHED") {
      // Registered by this job before a crash lost the save that counted it: counted and
      // announced now. Otherwise registered another way since the plan.
      if (this.changedByThisJob(existing, existing.createdAt)) {
        p.registered += 1;
        this.change(accountId, "REGISTERED");
      } else p.alreadyRegistered += 1;
      return;
    }
    const roleArn = `arn:${this.deps.partition}:iam::${accountId}:role/${this.connection.memberRoleName}`;
    try {
      await this.deps.members.register(
        job.tenantId,
        { accountId, roleArn },
        { kind: "organization", managementAccountId: this.connection.managementAccountId },
        state.actor,
        { auditFailure: false, guard: this.guard },
      );
      p.registered += 1;
      this.change(accountId, "REGISTERED");
    } catch (err) {
      // The job is no longer this chain's: stop, nothing more is written.
      if (err instanceof OrganizationJobLostError) throw err;
      // One account's failure never stops the others.
      if (err instanceof VerificationFailedError) {
        p.failed += 1;
        if (job.failures.length < LISTED_FAILURES)
          job.failures.push({
            accountId,
            code: err.code as VerificationCode,
            message: err.message,
          });
      } else if (err instanceof ServiceUnavailableError && !lastTry) state.retry.push(accountId);
      else if (err instanceof AppError) p.pending += 1;
      else throw err;
    }
  }

  /** Stops brokering an account that left: kept for the record, unless it changed meanwhile. */
  private async detach(accountId: string, reason: DetachReason) {
    const { job } = this;
    const managementAccountId = this.connection.managementAccountId;
    const account = await this.deps.accounts.get(job.tenantId, accountId);
    if (!account) return;
    if (account.status === "DETACHED") {
      // Detached by this job before a crash lost the save that counted it.
      if (this.changedByThisJob(account, account.detached?.at)) {
        job.progress.detached += 1;
        this.change(accountId, "DETACHED", account.detached?.reason ?? reason);
      }
      return;
    }
    const decision = decide(account, "ORG_LEAVE", { kind: "organization", managementAccountId });
    if (!decision.allowed || decision.to === "ABSENT") return;
    const at = this.deps.clock.now().toISOString();
    try {
      await this.deps.accounts.put(
        {
          ...account,
          status: decision.to,
          detached: { at, reason },
          updatedAt: at,
          version: account.version + 1,
        },
        account.version,
        this.guard,
      );
    } catch (err) {
      if (err instanceof StaleAccountError) return; // changed meanwhile: the next sync sees it
      throw err;
    }
    await this.deps.trail.record(this.state.actor, {
      action: "ACCOUNT_DETACH",
      ...accountFields(account),
      code: reason,
      toState: decision.to,
    });
    job.progress.detached += 1;
    this.change(accountId, "DETACHED", reason);
  }

  private change(accountId: string, change: "REGISTERED" | "DETACHED", reason?: DetachReason) {
    this.state.changes.push({
      tenantId: this.job.tenantId,
      managementAccountId: this.connection.managementAccountId,
      accountId,
      change,
      ...(reason ? { reason } : {}),
      at: this.deps.clock.now().toISOString(),
    });
  }
}

/** A save refused mid-run: the job was replaced, disconnected, or another chain took it. */
class LostLease extends Error {}
