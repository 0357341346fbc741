/**
 * How a health sweep is divided and paced (no AWS here): the accounts index's shards split among
 * a fixed number of workers, each a chain of invocations; one AssumeRole budget per second shared
 * by all of them, itself split over several keys (time-slot leases: shared/services/
 * rate-budget.ts); a period per sweep, and whether the budget can check every account in it.
 */

export interface SweepPlanConfig {
  /** Minutes between the starts of two sweeps: every account is checked once per period. */
  periodMinutes: number;
  /** Worker chains per sweep; each takes every `workers`-th shard of the accounts index. */
  workers: number;
  /** AssumeRole calls per second for the whole sweep, all workers together. */
  assumeRolePerSecond: number;
  /** Keys the budget of each second is split over, so that no one key is hot. */
  budgetShards: number;
}

/** The period a moment falls in, as the ISO time of its start: the sweep's run id. */
export function periodStart(now: Date, periodMinutes: number): string {
  const periodMs = periodMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / periodMs) * periodMs).toISOString();
}

/** The shards of the index that worker `worker` (0-based) of `workers` checks. */
export function workerShards(worker: number, workers: number, shards: number): number[] {
  if (!Number.isInteger(worker) || worker < 0 || worker >= workers)
    throw new RangeError(`worker ${worker} is not one of ${workers}`);
  const mine: number[] = [];
  for (let s = worker; s < shards; s += workers) mine.push(s);
  return mine;
}

/**
 * The tokens of one second on each budget key: the rate split as evenly as it goes, the first
 * keys taking one more when it does not divide.
 */
export function slotCapacities(ratePerSecond: number, budgetShards: number): number[] {
  const base = Math.floor(ratePerSecond / budgetShards);
  const extra = ratePerSecond - base * budgetShards;
  return Array.from({ length: budgetShards }, (_, b) => base + (b < extra ? 1 : 0));
}

/**
 * Whether the budget can check `accounts` accounts in one period: the time that takes at the
 * budget (each check costs `callsPerCheck` AssumeRole calls: 2 with the negative probe), and its
 * ratio to the period (above 1: the sweep runs late, and says so).
 */
export function sweepCapacity(input: {
  accounts: number;
  callsPerCheck: number;
  assumeRolePerSecond: number;
  periodMinutes: number;
}): { seconds: number; ratio: number; overrun: boolean } {
  const seconds = (input.accounts * input.callsPerCheck) / input.assumeRolePerSecond;
  const ratio = seconds / (input.periodMinutes * 60);
  return { seconds, ratio, overrun: ratio > 1 };
}
