import { BUDGET_SLOT_MS, slotBudget } from "../domain/sweep-plan";
import type { Clock, Sleep } from "../ports/common";
import type { RateBudgetStore } from "../ports/health";

/**
 * One AssumeRole budget per second shared by every worker of a sweep, through time-slot leases in
 * the table: time is cut in slots of BUDGET_SLOT_MS, each slot's share of the budget split over
 * several keys (slotBudget), and a worker claims a batch of tokens of the current slot from one key
 * (one UpdateItem), then spends them evenly over the rest of that slot. A worker claims only from
 * its own keys (budgetKeysOf), so the writes per key stay few whatever the number of workers. Whatever the number of
 * workers, the calls of one slot never exceed its share (a key grants no more than its part, and
 * a claim names its slot), so no second exceeds the budget and no tenth of one bursts. A worker
 * that finds a key spent moves to the next; when every key of the slot is spent, it waits for the
 * next slot.
 */
export class RateBudget {
  /** Tokens claimed: when each may be spent, and the end of its slot (spent after it: dropped). */
  private tokens: { at: number; end: number }[] = [];
  private refilling: Promise<void> | undefined;
  private spent = new Set<string>();

  constructor(
    private readonly deps: {
      store: RateBudgetStore;
      clock: Clock;
      sleep: Sleep;
      /** AssumeRole calls per second, all workers together. */
      ratePerSecond: number;
      /** Keys each slot's share is split over. */
      budgetShards: number;
      /** Tokens one claim asks for. */
      batch: number;
      /** The keys this worker claims from (budgetKeysOf). */
      keys: number[];
    },
  ) {
    if (deps.keys.length === 0) throw new RangeError("a worker needs at least one budget key");
  }

  /** Resolves when the caller may make one call. */
  async acquire(): Promise<void> {
    for (;;) {
      const token = this.tokens.shift();
      if (token !== undefined) {
        const now = this.deps.clock.now().getTime();
        // A token of a slot that has passed (the callers were slow to take it) is gone: spending
        // it now would put this slot over its share.
        if (now >= token.end) continue;
        if (token.at > now) await this.deps.sleep(token.at - now);
        return;
      }
      this.refilling ??= this.refill().finally(() => {
        this.refilling = undefined;
      });
      await this.refilling;
    }
  }

  private async refill(): Promise<void> {
    const { store, clock, sleep, batch, budgetShards } = this.deps;
    const now = clock.now().getTime();
    const slot = Math.floor(now / BUDGET_SLOT_MS);
    const capacities = slotBudget(slot, this.deps.ratePerSecond, budgetShards);
    for (const key of this.spent) if (Number(key.split(":")[0]) < slot) this.spent.delete(key);
    for (const key of this.deps.keys) {
      const capacity = capacities[key] ?? 0;
      if (capacity === 0 || this.spent.has(`${slot}:${key}`)) continue;
      const want = Math.min(batch, capacity);
      const granted = await store.claim(slot, key, want, capacity);
      // Spent: it granted less than asked, or all it had.
      if (granted < want || want === capacity) this.spent.add(`${slot}:${key}`);
      if (granted > 0) {
        // Spread over what is left of the slot (from when the claim was answered).
        const from = Math.max(clock.now().getTime(), slot * BUDGET_SLOT_MS);
        const end = (slot + 1) * BUDGET_SLOT_MS;
        const step = Math.max(0, end - from) / granted;
        for (let t = 0; t < granted; t++)
          this.tokens.push({ at: Math.min(end - 1, from + t * step), end });
        return;
      }
    }
    // Every key of this slot is spent: the next slot's budget.
    await sleep(Math.max(1, (slot + 1) * BUDGET_SLOT_MS - clock.now().getTime()));
  }
}
