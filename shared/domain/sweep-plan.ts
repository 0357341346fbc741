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
 * Tokens split over the budget keys as evenly as they go, the keys from `first` on (wrapping)
 * taking one more when they do not divide.
 */
export function slotCapacities(tokens: number, budgetShards: number, first = 0): number[] {
  const base = Math.floor(tokens / budgetShards);
  const extra = tokens - base * budgetShards;
  return Array.from(
    { length: budgetShards },
    (_, b) => base + ((b - first + budgetShards) % budgetShards < extra ? 1 : 0),
  );
}

/**
 * The budget keys worker `worker` of `workers` claims from: its own when there are at least as
 * many keys as workers (every `workers`-th), else one shared by every `budgetShards`-th worker.
 * Each worker claims only its keys, so a slot costs one claim per key and worker, not one per key
 * per worker: the writes stay far from a hot key whatever the number of workers. (Choose one
 * count a multiple of the other: the shares are then equal.)
 */
export function budgetKeysOf(worker: number, workers: number, budgetShards: number): number[] {
  if (workers >= budgetShards) return [worker % budgetShards];
  const keys: number[] = [];
  for (let k = worker; k < budgetShards; k += workers) keys.push(k);
  return keys;
}

/** Tokens a worker asks for in one claim: a key's whole share of a slot (at least 1). */
export function budgetBatch(ratePerSecond: number, budgetShards: number): number {
  return Math.max(1, Math.ceil((ratePerSecond * BUDGET_SLOT_MS) / 1000 / budgetShards));
}

/** Length of one time slot of the budget: a tenth of a second, so that no slot is a burst. */
export const BUDGET_SLOT_MS = 100;

/**
 * The tokens of time slot `slot` (epoch ms / slotMs) on each budget key. Over any whole second
 * the slots add up to exactly `ratePerSecond` (a fractional share per slot is carried from slot
 * to slot), and the keys that take the remainder rotate with the slot.
 */
export function slotBudget(
  slot: number,
  ratePerSecond: number,
  budgetShards: number,
  slotMs = BUDGET_SLOT_MS,
): number[] {
  const perSlot = (ratePerSecond * slotMs) / 1000;
  // Integer arithmetic where it matters: tokens up to the end of the slot, minus up to its start.
  const upTo = (k: number) => Math.floor((k * ratePerSecond * slotMs) / 1000 + 1e-9);
  const tokens = Number.isInteger(perSlot) ? perSlot : upTo(slot + 1) - upTo(slot);
  // The remainder goes round the keys by tokens handed out so far, not by slot: every key gets
  // its share over time, whichever keys a worker holds (a rate of 1 a second reaches all 8 keys).
  const before = Number.isInteger(perSlot) ? slot * perSlot : upTo(slot);
  return slotCapacities(tokens, budgetShards, before % budgetShards);
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
