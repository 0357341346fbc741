import type { Clock, RateBudgetStore, Sleep } from "../ports";

/**
 * One AssumeRole budget per second shared by every worker of a sweep, through time-slot leases in
 * the table: each second's budget is split over several keys (slotCapacities), and a worker
 * claims a batch of tokens of the current second from one key (one UpdateItem), then spends them
 * evenly over the rest of that second. Whatever the number of workers, the calls of one second
 * never exceed the budget: a key grants no more than its share, and a claim names its second.
 * A worker that finds a key spent moves to the next; when every key of the second is spent, it
 * waits for the next second.
 */
export class RateBudget {
  private tokens: number[] = [];
  private refilling: Promise<void> | undefined;
  private nextKey: number;
  private spent = new Set<string>();

  constructor(
    private readonly deps: {
      store: RateBudgetStore;
      clock: Clock;
      sleep: Sleep;
      /** Tokens per second on each key (slotCapacities). */
      capacities: number[];
      /** Tokens one claim asks for. */
      batch: number;
      /** The key this worker tries first (its index), so that workers spread over the keys. */
      firstKey: number;
    },
  ) {
    this.nextKey = deps.firstKey % deps.capacities.length;
  }

  /** Resolves when the caller may make one call. */
  async acquire(): Promise<void> {
    for (;;) {
      const at = this.tokens.shift();
      if (at !== undefined) {
        const wait = at - this.deps.clock.now().getTime();
        if (wait > 0) await this.deps.sleep(wait);
        return;
      }
      this.refilling ??= this.refill().finally(() => {
        this.refilling = undefined;
      });
      await this.refilling;
    }
  }

  private async refill(): Promise<void> {
    const { store, clock, sleep, capacities, batch } = this.deps;
    const now = clock.now().getTime();
    const second = Math.floor(now / 1000);
    for (const key of this.spent) if (Number(key.split(":")[0]) < second) this.spent.delete(key);
    for (let i = 0; i < capacities.length; i++) {
      const key = (this.nextKey + i) % capacities.length;
      const capacity = capacities[key] ?? 0;
      if (capacity === 0 || this.spent.has(`${second}:${key}`)) continue;
      const granted = await store.claim(second, key, Math.min(batch, capacity), capacity);
      if (granted < Math.min(batch, capacity)) this.spent.add(`${second}:${key}`);
      if (granted > 0) {
        this.nextKey = key;
        // Spread over what is left of the second (from when the claim was answered).
        const from = Math.max(clock.now().getTime(), second * 1000);
        const end = (second + 1) * 1000;
        const step = Math.max(0, end - from) / granted;
        for (let t = 0; t < granted; t++) this.tokens.push(Math.min(end - 1, from + t * step));
        return;
      }
    }
    // Every key of this second is spent: the next second's budget.
    await sleep(Math.max(1, (second + 1) * 1000 - clock.now().getTime()));
  }
}
