import pLimit from "p-limit";
import pThrottle from "p-throttle";
import { isRoleArn, parseRoleArn } from "../domain/arn";
import { type CheckOutcome, checkOutcome, nextHealth } from "../domain/health";
import {
  periodStart,
  type SweepPlanConfig,
  sweepCapacity,
  workerShards,
} from "../domain/sweep-plan";
import { externalIdCandidates, type Tenant } from "../domain/tenant";
import { BadRequestError, ServiceUnavailableError } from "../errors";
import { type Clock, type MetricsSink, noMetrics } from "../ports/common";
import type {
  HealthStateChange,
  HealthSweepPorts,
  SweepContinuation,
  SweepLink,
  SweepRecords,
  SweepRun,
  SweepSummary,
  SweepTotals,
  SweepWorkerState,
  SweptAccount,
} from "../ports/health";
import type { RoleVerifier } from "./role-verifier";

/** Tenants a run keeps read (about 1 KB each). */
const TENANT_CACHE_ENTRIES = 5_000;

/** PutEvents takes up to 10 entries: changes are announced in batches of that size. */
const EVENTS_PER_BATCH = 10;

export interface SweepResult {
  checked: number;
  changed: number;
  skipped: number;
  /** Accounts per state after this run's checks. */
  states: Record<"HEALTHY" | "DEGRADED" | "UNHEALTHY", number>;
  /** The oldest check among the accounts this run saw (their previous check), ISO 8601. */
  oldestCheck?: string;
  /** Set when the time budget ran out: pass it to the next run to continue where this one stopped. */
  cursor?: string;
  /** The run stopped before the end (its cursor, if any, says where to go on; none: the start). */
  incomplete?: boolean;
}

/**
 * Checks every registered account: the same verification as registration (one shared
 * implementation), without the propagation retries, at bounded concurrency, page by page.
 */
export class HealthSweep {
  constructor(
    private readonly deps: {
      ports: HealthSweepPorts;
      verifier: RoleVerifier;
      clock: Clock;
      concurrency: number;
      /**
       * Checks started per second at most; each makes one AssumeRole call against the control
       * plane account's STS quota, which the broker shares (two with the negative probe).
       */
      checksPerSecond?: number;
      pageSize: number;
      unhealthyAfter: number;
      /** HealthChecks by state, AssumeRoleThrottled (caller sweep). */
      metrics?: MetricsSink;
    },
  ) {}

  async run(options: SweepRunOptions): Promise<SweepResult> {
    const stats = { throttled: 0 };
    const result = await this.sweep(options, stats);
    const metrics = this.deps.metrics ?? noMetrics;
    for (const [state, n] of Object.entries(result.states))
      if (n > 0) metrics.count("HealthChecks", n, { state });
    if (stats.throttled > 0)
      metrics.count("AssumeRoleThrottled", stats.throttled, { caller: "sweep" });
    return result;
  }

  private async sweep(
    options: SweepRunOptions,
    stats: { throttled: number },
  ): Promise<SweepResult> {
    const { ports, concurrency, pageSize } = this.deps;
    const limit = pLimit(concurrency);
    const checkNow = async (account: SweptAccount, tenant: Tenant) => {
      const checked = await this.check(account, tenant);
      if (!checked.outcome.ok && checked.outcome.code === "THROTTLED") stats.throttled += 1;
      return checked;
    };
    const { pace } = options;
    const check = pace
      ? async (account: SweptAccount, tenant: Tenant) => {
          await pace();
          return checkNow(account, tenant);
        }
      : this.rateLimited(checkNow);
    const tenants = new Map<string, Promise<Tenant | undefined>>();
    const result: SweepResult = {
      checked: 0,
      changed: 0,
      skipped: 0,
      states: { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 },
    };
    const inFlight = new Set<Promise<void>>();
    let changes: HealthStateChange[] = [];
    let failure: { error: unknown } | undefined;
    const flush = async (all: boolean) => {
      if (changes.length === 0 || (!all && changes.length < EVENTS_PER_BATCH)) return;
      const batch = changes;
      changes = [];
      await ports.publish(batch);
    };
    const drain = async () => {
      await Promise.all(inFlight);
      if (failure) throw failure.error;
      await flush(true);
    };

    let cursor = options.cursor;
    // Where each page of this run was read from, and the first page with a check not started
    // when time ran out: the next run starts there again.
    const pageStarts: (string | undefined)[] = [];
    let firstUnchecked: number | undefined;
    let stopping = false;
    const late = () => this.deps.clock.now().getTime() >= options.deadlineMs;
    const stop = async (): Promise<SweepResult> => {
      // Checks not started yet are not started at all (they would wait for the budget well past
      // the deadline): the in-flight ones finish, and the result's cursor starts again at the first
      // page with one left. Accounts of that page already checked are skipped by the next run
      // (periodStart), so none is checked twice in a period.
      stopping = true;
      await drain();
      const from = firstUnchecked === undefined ? cursor : pageStarts[firstUnchecked];
      // More to do: checks not started, pages not read, or no page read at all.
      const more = firstUnchecked !== undefined || cursor !== undefined || pageStarts.length === 0;
      return {
        ...result,
        ...(from ? { cursor: from } : {}),
        ...(more ? { incomplete: true } : {}),
      };
    };
    do {
      if (late()) return stop();
      const pageIndex = pageStarts.length;
      pageStarts.push(cursor);
      const page = await ports.accounts(cursor, pageSize, options.shards);
      for (const account of page.items) {
        const task = limit(async () => {
          if (stopping) {
            firstUnchecked = Math.min(firstUnchecked ?? pageIndex, pageIndex);
            return;
          }
          let tenant = tenants.get(account.tenantId);
          if (!tenant) {
            tenant = ports.tenant(account.tenantId);
            tenants.set(account.tenantId, tenant);
            // Bounded, whatever the number of tenants: the oldest entry goes first. (Accounts come
            // in the index's spread order, not by tenant: a run may meet every tenant.)
            if (tenants.size > TENANT_CACHE_ENTRIES)
              tenants.delete(tenants.keys().next().value as string);
          }
          const change = await this.checkOne(
            account,
            await tenant,
            result,
            check,
            options.periodStart,
          );
          if (change) changes.push(change);
        }).catch((error: unknown) => {
          failure ??= { error };
        });
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      }
      cursor = page.nextCursor;
      // The next page is read while this one is checked, but no more than one page waits to
      // start: memory stays bounded by two pages, whatever the number of accounts.
      while (limit.pendingCount > pageSize && !failure) {
        if (late()) return stop();
        await Promise.race(inFlight);
      }
      if (failure) break;
      await flush(false);
    } while (cursor);
    await drain();
    return result;
  }

  /** Spaces check starts so the sweep's AssumeRole calls stay under its share of the STS quota. */
  private rateLimited<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
    const rate = this.deps.checksPerSecond;
    if (rate === undefined) return fn;
    // Evenly spaced starts, checked call by call (strict): never a burst that a token bucket
    // refilling at `rate` per second would refuse. (Windows of several calls per interval come out
    // about 15% under the rate with p-throttle's strict mode; the non-strict mode bursts.)
    return pThrottle({ limit: 1, interval: 1000 / rate, strict: true })(fn);
  }

  private async checkOne(
    account: SweptAccount,
    tenant: Tenant | undefined,
    result: SweepResult,
    check: (account: SweptAccount, tenant: Tenant) => Promise<CheckResult>,
    periodStart: string | undefined,
  ): Promise<HealthStateChange | undefined> {
    // A suspended or deleted tenant's accounts, and accounts that left their organization, wait.
    if (tenant?.status !== "ACTIVE" || account.status === "DETACHED") {
      result.skipped += 1;
      return undefined;
    }
    // Checked in this period already (by a link that crashed before it saved its position).
    const last = account.health?.lastCheckedAt;
    if (periodStart !== undefined && last !== undefined && last >= periodStart) {
      result.skipped += 1;
      return undefined;
    }
    const { outcome, externalId } = await check(account, tenant);
    const at = this.deps.clock.now().toISOString();
    const { health, change } = nextHealth(account.health, outcome, at, this.deps.unhealthyAfter);
    const stored = await this.deps.ports.record(account, health, externalId, periodStart);
    result.checked += 1;
    const previousCheck = account.health?.lastCheckedAt;
    if (previousCheck && (result.oldestCheck === undefined || previousCheck < result.oldestCheck))
      result.oldestCheck = previousCheck;
    if (!stored) {
      // Deleted or re-registered while we checked: the newer state wins, nothing is announced.
      result.skipped += 1;
      return undefined;
    }
    result.states[health.state] += 1;
    if (!change) return undefined;
    result.changed += 1;
    return { ...change, tenantId: account.tenantId, accountId: account.accountId, at };
  }

  private async check(account: SweptAccount, tenant: Tenant): Promise<CheckResult> {
    const started = this.deps.clock.now().getTime();
    const role = parseRoleArn(account.roleArn);
    const elapsed = () => this.deps.clock.now().getTime() - started;
    if (!isRoleArn(role))
      return {
        outcome: {
          ok: false,
          code: "ACCOUNT_MISMATCH",
          message: "The stored role ARN is not valid",
          latencyMs: 0,
        },
      };
    try {
      const now = this.deps.clock.now();
      const r = await this.deps.verifier.verify({
        role,
        accountId: account.accountId,
        regions: account.regions,
        externalIds: externalIdCandidates(tenant.externalId, account.acceptedExternalId, now),
      });
      const outcome = checkOutcome(
        tenant.externalId,
        account.acceptedExternalId,
        r,
        now,
        elapsed(),
      );
      return { outcome, ...(r.externalId === undefined ? {} : { externalId: r.externalId }) };
    } catch (err) {
      if (err instanceof ServiceUnavailableError) {
        return {
          outcome: {
            ok: false,
            code: "TIMEOUT",
            message: "STS or IAM did not answer",
            latencyMs: elapsed(),
          },
        };
      }
      throw err;
    }
  }
}

export interface SweepRunOptions {
  /** Where to start (a cursor an earlier run returned). */
  cursor?: string;
  /** Stop starting checks at this time (epoch ms); the result's cursor continues. */
  deadlineMs: number;
  /** The shards of the accounts index to check (all when absent). */
  shards?: number[];
  /** The period's start: accounts checked since are skipped, and never recorded twice. */
  periodStart?: string;
  /** Waits for the budget before each check (RateBudget); else checksPerSecond paces. */
  pace?: () => Promise<void>;
}

interface CheckResult {
  outcome: CheckOutcome;
  /** The external ID the role accepted, when AssumeRole got that far. */
  externalId?: string;
}

/** What one invocation of the sweep function did. */
export type SweepLinkOutcome =
  | { outcome: "SKIPPED"; reason: string }
  | { outcome: "STARTED"; runId: string; workers: number; capacityRatio?: number }
  | { outcome: "RESUMED"; runId: string; resumed: number[]; overrun: boolean }
  | { outcome: "CONTINUED"; runId: string; worker: number; totals: SweepTotals }
  | { outcome: "WORKER_DONE"; runId: string; worker: number; totals: SweepTotals }
  | { outcome: "FINISHED"; summary: SweepSummary };

/** Time kept back at the end of an invocation: the checks in flight finish, the next link starts. */
export const SWEEP_SAFETY_MS = 30_000;

/** Adds one run's counts to the totals the chain carried so far. */
export function addToTotals(previous: SweepTotals | undefined, run: SweepResult): SweepTotals {
  const totals: SweepTotals = {
    checked: run.checked + (previous?.checked ?? 0),
    changed: run.changed + (previous?.changed ?? 0),
    skipped: run.skipped + (previous?.skipped ?? 0),
    states: {
      HEALTHY: run.states.HEALTHY + (previous?.states.HEALTHY ?? 0),
      DEGRADED: run.states.DEGRADED + (previous?.states.DEGRADED ?? 0),
      UNHEALTHY: run.states.UNHEALTHY + (previous?.states.UNHEALTHY ?? 0),
    },
  };
  const oldest = [run.oldestCheck, previous?.oldestCheck]
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  return oldest ? { ...totals, oldestCheck: oldest } : totals;
}

const NO_RESULT: SweepResult = {
  checked: 0,
  changed: 0,
  skipped: 0,
  states: { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 },
};

/**
 * A sweep of any number of accounts, once per period, fanned out: the scheduled invocation starts
 * the period's run with `workers` worker chains, each over its share of the accounts index's
 * shards (workerShards), all paced by one AssumeRole budget in the table (RateBudget). Each link
 * of a worker checks accounts until SWEEP_SAFETY_MS before its time runs out, saves its position
 * and totals in its lease, and invokes the next link; the last worker to finish writes the summary.
 *
 * - One sweep at a time: a period's run starts only when the last one finished. A scheduled
 *   invocation that finds a run still going resumes its workers whose lease expired (a crashed or
 *   lost link: the worker goes on from its saved position), and reports an overrun when the run
 *   is past its period.
 * - No account is checked twice in a period: a resumed worker skips accounts checked since the
 *   period's start, and a check is recorded only if the account was not checked since.
 * - When the budget cannot check every account in a period (sweepCapacity, from the last
 *   summary's count), the run says so at its start: SweepOverrun, and the alarm on it.
 */
export class HealthSweepChain {
  constructor(
    private readonly deps: {
      sweep: Pick<HealthSweep, "run">;
      records: SweepRecords;
      clock: Clock;
      plan: SweepPlanConfig;
      /** The index's shard count, fixed for the deployment. */
      shards: number;
      /** AssumeRole calls per check: 2 with the negative probe. */
      callsPerCheck: number;
      /** The budget worker `worker` of `workers` (the run's count) waits for. */
      budget: (worker: number, workers: number) => { acquire(): Promise<void> };
      /** SweepsCompleted, SweepDuration, SweepOverrun. */
      metrics?: MetricsSink;
    },
  ) {}

  async runLink(
    link: SweepLink,
    invocation: { id: string; remainingMs: number; continuation: SweepContinuation },
  ): Promise<SweepLinkOutcome> {
    if (link.runId !== undefined && link.worker !== undefined)
      return this.runWorker(link.runId, link.worker, link, invocation);
    return this.schedule(invocation);
  }

  /** The scheduled invocation: starts the period's run, or resumes the current one's workers. */
  private async schedule(invocation: {
    id: string;
    continuation: SweepContinuation;
  }): Promise<SweepLinkOutcome> {
    const { records, clock, plan, metrics = noMetrics } = this.deps;
    const now = clock.now();
    const runId = periodStart(now, plan.periodMinutes);
    const current = await records.currentRun();
    if (current && current.finishedAt === undefined) {
      const workers = await records.workers(current.runId);
      // Every worker done, but the last one died before it finished the run: finish it here.
      if (workers.length === current.workers && workers.every((w) => w.done)) {
        const finished = await this.finish(current, workers);
        if (finished) return { outcome: "FINISHED", summary: finished };
      }
      const stale = workers.filter((w) => !w.done && w.leaseUntilMs < now.getTime());
      for (const w of stale)
        await invocation.continuation.continueWith({
          runId: current.runId,
          worker: w.worker,
          // A new chain: the lost one's links, should they come back, no longer hold the lease.
          chain: `${invocation.id}/${w.worker}`,
        });
      const overrun = current.runId < runId;
      if (overrun) metrics.count("SweepOverrun", 1, { reason: "running" });
      return {
        outcome: "RESUMED",
        runId: current.runId,
        resumed: stale.map((w) => w.worker),
        overrun,
      };
    }
    if (current && current.runId >= runId)
      return { outcome: "SKIPPED", reason: "this period's sweep is done" };
    const last = await records.summary();
    const capacity = last
      ? sweepCapacity({
          accounts: last.checked + last.skipped,
          callsPerCheck: this.deps.callsPerCheck,
          assumeRolePerSecond: plan.assumeRolePerSecond,
          periodMinutes: plan.periodMinutes,
        })
      : undefined;
    if (capacity?.overrun) metrics.count("SweepOverrun", 1, { reason: "budget" });
    const run = {
      runId,
      startedAt: now.toISOString(),
      workers: plan.workers,
      shards: this.deps.shards,
    };
    if (!(await records.startRun(run, current?.runId)))
      return { outcome: "SKIPPED", reason: "another invocation started this period's sweep" };
    for (let worker = 0; worker < run.workers; worker++)
      await invocation.continuation.continueWith({
        runId,
        worker,
        chain: `${invocation.id}/${worker}`,
      });
    return {
      outcome: "STARTED",
      runId,
      workers: run.workers,
      ...(capacity ? { capacityRatio: capacity.ratio } : {}),
    };
  }

  private async runWorker(
    runId: string,
    worker: number,
    link: SweepLink,
    invocation: { id: string; remainingMs: number; continuation: SweepContinuation },
  ): Promise<SweepLinkOutcome> {
    const { records, clock } = this.deps;
    const now = clock.now();
    const run = await records.currentRun();
    if (!run || run.runId !== runId || run.finishedAt !== undefined)
      return { outcome: "SKIPPED", reason: "not the current sweep" };
    if (!Number.isInteger(worker) || worker < 0 || worker >= run.workers)
      return { outcome: "SKIPPED", reason: "no such worker" };
    const chain = link.chain ?? invocation.id;
    // The lease outlives this invocation by a minute, so that the next link renews it in time.
    const leaseUntil = now.getTime() + invocation.remainingMs + 60_000;
    const state = await records.acquireWorker(
      runId,
      worker,
      chain,
      link.seq,
      now.getTime(),
      leaseUntil,
    );
    if (!state)
      return { outcome: "SKIPPED", reason: "another link holds the worker, or it is done" };
    const budget = this.deps.budget(worker, run.workers);
    // The shards of the deployment's index now: a run started under another INDEX_SHARDS (or a
    // position sealed under a replaced cursor key) goes on from the start of the worker's shards,
    // skipping what it already checked in the period.
    const options: SweepRunOptions = {
      deadlineMs: now.getTime() + invocation.remainingMs - SWEEP_SAFETY_MS,
      shards: workerShards(worker, run.workers, this.deps.shards),
      periodStart: runId,
      pace: async () => {
        for (let i = 0; i < this.deps.callsPerCheck; i++) await budget.acquire();
      },
    };
    const resumeFrom = run.shards === this.deps.shards ? state.cursor : undefined;
    let result: SweepResult;
    try {
      result = await this.deps.sweep.run({
        ...options,
        ...(resumeFrom ? { cursor: resumeFrom } : {}),
      });
    } catch (err) {
      if (!(resumeFrom && err instanceof BadRequestError)) throw err;
      result = await this.deps.sweep.run(options);
    }
    const totals = addToTotals(state.totals, result);
    const saved = {
      worker,
      runId,
      holder: chain,
      leaseUntilMs: leaseUntil,
      seq: state.seq,
      totals,
    };
    if (result.cursor !== undefined || result.incomplete) {
      // A link that lost its lease to a resumed chain stops here: that chain goes on.
      if (
        !(await records.saveWorker({
          ...saved,
          ...(result.cursor ? { cursor: result.cursor } : {}),
          done: false,
        }))
      )
        return { outcome: "SKIPPED", reason: "the worker was resumed by another chain" };
      await invocation.continuation.continueWith({ runId, worker, chain, seq: state.seq });
      return { outcome: "CONTINUED", runId, worker, totals };
    }
    if (!(await records.saveWorker({ ...saved, done: true })))
      return { outcome: "SKIPPED", reason: "the worker was resumed by another chain" };
    const workers = await records.workers(runId);
    if (workers.length < run.workers || !workers.every((w) => w.done))
      return { outcome: "WORKER_DONE", runId, worker, totals };
    const summary = await this.finish(run, workers);
    return summary
      ? { outcome: "FINISHED", summary }
      : { outcome: "WORKER_DONE", runId, worker, totals };
  }

  /**
   * Finishes a run whose workers are all done: the summary of their totals and the run's end, in
   * one write; undefined when another invocation finished it first.
   */
  private async finish(run: SweepRun, workers: SweepWorkerState[]) {
    const finishedAt = this.deps.clock.now().toISOString();
    const all = workers.reduce<SweepTotals | undefined>(
      (sum, w) => addToTotals(sum, { ...NO_RESULT, ...(w.totals ?? {}) }),
      undefined,
    ) as SweepTotals;
    const summary: SweepSummary = {
      startedAt: run.startedAt,
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(run.startedAt),
      ...all,
    };
    if (!(await this.deps.records.finishRun(run.runId, summary))) return undefined;
    const metrics = this.deps.metrics ?? noMetrics;
    metrics.count("SweepsCompleted");
    metrics.duration("SweepDuration", summary.durationMs);
    if (summary.durationMs > this.deps.plan.periodMinutes * 60_000)
      metrics.count("SweepOverrun", 1, { reason: "late" });
    return summary;
  }
}
