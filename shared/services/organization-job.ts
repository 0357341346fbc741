import type { Account } from "../domain/account";
import { type Actor, accountFields, systemActor } from "../domain/audit";
import { RoleAccessError, StaleAccountError, VerificationFailedError } from "../domain/errors";
import { decide } from "../domain/lifecycle";
import { type DetachReason, type OrganizationConnection, planSync } from "../domain/organization";
import { LISTED_FAILURES, type OrganizationJob } from "../domain/organization-job";
import type { RandomSource } from "../domain/random";
import type { VerificationCode } from "../domain/verification";
import { AppError, ServiceUnavailableError, UnprocessableError } from "../errors";
import {
  type AccountStore,
  type Clock,
  type MetricsSink,
  noMetrics,
  type OrganizationJobLauncher,
  type OrganizationJobLink,
  type OrganizationJobStore,
  type OrganizationPages,
  type OrganizationStore,
  type Sleep,
  type TenantRoleGateway,
} from "../ports";
import type { AccountService } from "./account-service";
import type { AuditTrail } from "./audit-trail";
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
    if (!connection)
      return this.fail(job, {
        code: "ORGANIZATION_NOT_CONNECTED",
        message: "The organization was disconnected",
      });
    const state =
      ((await jobs.loadState(job)) as OrganizationJobState | undefined) ??
      newState(connection, job.actor);
    const run = new JobRun(this.deps, job, state, connection, chain);
    try {
      const done = await run.go(deadlineMs);
      if (!done) {
        if (!(await run.checkpoint()))
          return { outcome: "LOST", reason: "the job was replaced, disconnected or taken over" };
        await invocation.launcher.launch({
          tenantId: job.tenantId,
          jobId: job.jobId,
          chain,
          seq: job.seq,
        });
        return { outcome: "CONTINUED", job };
      }
      return (await run.finish())
        ? { outcome: "SUCCEEDED", job }
        : { outcome: "LOST", reason: "the job was replaced, disconnected or taken over" };
    } catch (err) {
      if (err instanceof LostLease)
        return { outcome: "LOST", reason: "the job was replaced, disconnected or taken over" };
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
    if (!(await this.deps.jobs.save(job, undefined)))
      return { outcome: "LOST", reason: "the job was replaced, disconnected or taken over" };
    (this.deps.metrics ?? noMetrics).count("OrganizationJobs", 1, {
      kind: job.kind,
      outcome: "FAILED",
    });
    return { outcome: "FAILED", job };
  }
}

function newState(
  connection: OrganizationConnection,
  actor: Actor | undefined,
): OrganizationJobState {
  return {
    walk: startWalk(connection.organizationalUnitIds),
    register: [],
    retry: [],
    detach: [],
    actor: actor ?? systemActor("organization-job", "organization-sync"),
  };
}

/** What stops a job for good: the tenant's to fix. Undefined: transient, resume later. */
function asJobError(err: unknown): { code: string; message: string } | undefined {
  if (err instanceof VerificationFailedError || err instanceof UnprocessableError)
    return { code: err.code, message: err.message };
  if (err instanceof RoleAccessError && err.code !== "THROTTLED")
    return { code: err.code, message: err.message };
  return undefined;
}

/** One invocation's work on a job. */
class JobRun {
  private changes: OrganizationChange[] = [];
  private lastSaveMs: number;

  constructor(
    private readonly deps: OrganizationJobsDeps,
    private readonly job: OrganizationJob,
    private readonly state: OrganizationJobState,
    private readonly connection: OrganizationConnection,
    readonly chain: string,
  ) {
    this.lastSaveMs = deps.clock.now().getTime();
  }

  private get now() {
    return this.deps.clock.now().getTime();
  }

  private get nextSaveMs() {
    return this.lastSaveMs + (this.deps.checkpointMs ?? 30_000);
  }

  /** Works until done (true) or the deadline (false), saving on the way. */
  async go(deadlineMs: number): Promise<boolean> {
    const { job, state } = this;
    if (job.phase === "LISTING") {
      const tenant = await this.deps.tenants.get(job.tenantId);
      const credentials = await organizationSession(
        this.deps,
        tenant,
        this.connection.managementRoleArn,
      );
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
        state.walk = await walk.run(credentials, state.walk, last ? deadlineMs : this.nextSaveMs);
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
    }
    return true;
  }

  /** Publishes the changes so far and saves the job and its state: false when the lease is lost. */
  async checkpoint(): Promise<boolean> {
    await this.flush();
    this.job.updatedAt = this.deps.clock.now().toISOString();
    this.lastSaveMs = this.now;
    return this.deps.jobs.save(this.job, this.state);
  }

  /** The job done: its record, the changes announced, one audit record when something changed. */
  async finish(): Promise<boolean> {
    const { job } = this;
    await this.flush();
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

  private async flush() {
    if (this.changes.length === 0) return;
    const changes = this.changes;
    this.changes = [];
    await this.deps.publish(changes);
  }

  /** From what the walk listed and the tenant's accounts: what to register and detach. */
  private async plan() {
    const { job, state } = this;
    const accounts = await this.allAccounts();
    const plan = planSync({
      managementAccountId: this.connection.managementAccountId,
      members: state.walk.members,
      inScope: new Set(state.walk.inScope),
      accounts,
    });
    const p = job.progress;
    p.listed = state.walk.members.length;
    p.skipped = plan.skipped.length;
    p.alreadyRegistered = plan.alreadyRegistered.length;
    p.toRegister = plan.register.length;
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

  private async registerMember(entry: string) {
    const { job, state } = this;
    const lastTry = entry.startsWith("retry:");
    const accountId = lastTry ? entry.slice("retry:".length) : entry;
    const p = job.progress;
    const existing = await this.deps.accounts.get(job.tenantId, accountId);
    // Registered since the plan (by an earlier link that did not save, or another way).
    if (existing && existing.status !== "DETACHED") {
      p.alreadyRegistered += 1;
      return;
    }
    const roleArn = `arn:${this.deps.partition}:iam::${accountId}:role/${this.connection.memberRoleName}`;
    try {
      await this.deps.members.register(
        job.tenantId,
        { accountId, roleArn },
        { kind: "organization", managementAccountId: this.connection.managementAccountId },
        state.actor,
        { auditFailure: false },
      );
      p.registered += 1;
      this.change(accountId, "REGISTERED");
    } catch (err) {
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
    this.changes.push({
      tenantId: this.job.tenantId,
      managementAccountId: this.connection.managementAccountId,
      accountId,
      change,
      ...(reason ? { reason } : {}),
      at: this.deps.clock.now().toISOString(),
    });
  }

  /** Every account of the tenant, page by page. */
  private async allAccounts(): Promise<Account[]> {
    const all: Account[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.accounts.list(this.job.tenantId, {
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }
}

/** A save refused mid-run: the job was replaced, disconnected, or another chain took it. */
class LostLease extends Error {}

/** Links queued instead of invoked: jobs run in one process (npm run sweep, the tests, the bench). */
export class QueuedLinks implements OrganizationJobLauncher {
  readonly links: OrganizationJobLink[] = [];

  async launch(link: OrganizationJobLink): Promise<void> {
    this.links.push(link);
  }
}

/** Runs the queued links, and those they queue, each as an invocation of `remainingMs`. */
export async function drainJobs(
  jobs: Pick<OrganizationJobs, "runLink">,
  queue: QueuedLinks,
  remainingMs: number,
): Promise<OrganizationJobOutcome[]> {
  const outcomes: OrganizationJobOutcome[] = [];
  for (let n = 0; queue.links.length > 0; n++) {
    const link = queue.links.shift() as OrganizationJobLink;
    outcomes.push(await jobs.runLink(link, { id: `inline-${n}`, remainingMs, launcher: queue }));
  }
  return outcomes;
}
