import pLimit from "p-limit";
import pThrottle from "p-throttle";
import { isRoleArn, parseRoleArn } from "../domain/arn";
import { type CheckOutcome, checkOutcome, nextHealth } from "../domain/health";
import { externalIdCandidates, type Tenant } from "../domain/tenant";
import { ServiceUnavailableError } from "../errors";
import {
  type Clock,
  type HealthStateChange,
  type HealthSweepPorts,
  type MetricsSink,
  noMetrics,
  type SweepContinuation,
  type SweepLink,
  type SweepRecords,
  type SweepSummary,
  type SweepTotals,
  type SweptAccount,
} from "../ports";
import type { RoleVerifier } from "./role-verifier";

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

  async run(options: { cursor?: string; deadlineMs: number }): Promise<SweepResult> {
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
    options: { cursor?: string; deadlineMs: number },
    stats: { throttled: number },
  ): Promise<SweepResult> {
    const { ports, concurrency, pageSize } = this.deps;
    const limit = pLimit(concurrency);
    const check = this.rateLimited(async (account: SweptAccount, tenant: Tenant) => {
      const checked = await this.check(account, tenant);
      if (!checked.outcome.ok && checked.outcome.code === "THROTTLED") stats.throttled += 1;
      return checked;
    });
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
    do {
      if (this.deps.clock.now().getTime() >= options.deadlineMs) {
        // Every account before the cursor is checked once the in-flight checks finish.
        await drain();
        return { ...result, ...(cursor ? { cursor } : {}) };
      }
      const page = await ports.accounts(cursor, pageSize);
      for (const account of page.items) {
        const task = limit(async () => {
          let tenant = tenants.get(account.tenantId);
          if (!tenant) {
            tenant = ports.tenant(account.tenantId);
            tenants.set(account.tenantId, tenant);
          }
          const change = await this.checkOne(account, await tenant, result, check);
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
      while (limit.pendingCount > pageSize && !failure) await Promise.race(inFlight);
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
  ): Promise<HealthStateChange | undefined> {
    // A suspended or deleted tenant's accounts, and accounts that left their organization, wait.
    if (tenant?.status !== "ACTIVE" || account.status === "DETACHED") {
      result.skipped += 1;
      return undefined;
    }
    const { outcome, externalId } = await check(account, tenant);
    const at = this.deps.clock.now().toISOString();
    const { health, change } = nextHealth(account.health, outcome, at, this.deps.unhealthyAfter);
    const stored = await this.deps.ports.record(account, health, externalId);
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

interface CheckResult {
  outcome: CheckOutcome;
  /** The external ID the role accepted, when AssumeRole got that far. */
  externalId?: string;
}

/** What one invocation of the chain did. */
export type SweepLinkOutcome =
  | { outcome: "SKIPPED" }
  | { outcome: "CONTINUED"; totals: SweepTotals }
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

/**
 * A sweep of any number of accounts, as a chain of invocations. Each link checks accounts until
 * SWEEP_SAFETY_MS before its time runs out, then hands its cursor and totals to the next link
 * (the continuation); the last one writes the summary and releases the lease. One sweep at a
 * time: the lease, renewed by each link, makes a scheduled start that finds a sweep still running
 * skip its turn (two chains would check every account twice, at twice the STS rate).
 */
export class HealthSweepChain {
  constructor(
    private readonly deps: {
      sweep: Pick<HealthSweep, "run">;
      records: SweepRecords;
      clock: Clock;
      /** SweepsCompleted and SweepDuration, when the last link finishes a sweep. */
      metrics?: MetricsSink;
    },
  ) {}

  async runLink(
    link: SweepLink,
    invocation: { id: string; remainingMs: number; continuation: SweepContinuation },
  ): Promise<SweepLinkOutcome> {
    const now = this.deps.clock.now();
    const startedAt = link.startedAt ?? now.toISOString();
    const sweepId = link.sweepId ?? invocation.id;
    // The lease outlives this invocation by a minute, so that the next link renews it in time.
    const leaseUntil = now.getTime() + invocation.remainingMs + 60_000;
    if (!(await this.deps.records.acquireLease(sweepId, now.getTime(), leaseUntil))) {
      return { outcome: "SKIPPED" };
    }
    const run = await this.deps.sweep.run({
      ...(link.cursor ? { cursor: link.cursor } : {}),
      deadlineMs: now.getTime() + invocation.remainingMs - SWEEP_SAFETY_MS,
    });
    const totals = addToTotals(link.totals, run);
    if (run.cursor) {
      await invocation.continuation.continueWith({
        cursor: run.cursor,
        sweepId,
        startedAt,
        totals,
      });
      return { outcome: "CONTINUED", totals };
    }
    const finishedAt = this.deps.clock.now().toISOString();
    const summary: SweepSummary = {
      startedAt,
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
      ...totals,
    };
    await this.deps.records.writeSummary(summary);
    await this.deps.records.releaseLease(sweepId);
    const metrics = this.deps.metrics ?? noMetrics;
    metrics.count("SweepsCompleted");
    metrics.duration("SweepDuration", summary.durationMs);
    return { outcome: "FINISHED", summary };
  }
}
