import { describe, expect, it } from "vitest";
import {
  budgetBatch,
  budgetKeysOf,
  slotBudget,
  slotCapacities,
} from "../../../shared/domain/sweep-plan";
import type { RateBudgetStore } from "../../../shared/ports/health";
import { RateBudget } from "../../../shared/services/rate-budget";

/** Virtual time: sleeps resolve when the driver moves the clock past them, in order. */
class VirtualTime {
  now = Date.parse("2026-12-02T10:00:00.000Z");
  private timers: { at: number; resolve: () => void }[] = [];
  clock = { now: () => new Date(this.now) };
  sleep = (ms: number) =>
    new Promise<void>((resolve) => this.timers.push({ at: this.now + ms, resolve }));
  async runUntil(end: number) {
    for (;;) {
      // Let every runnable promise settle before moving time.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) {
        this.now = end;
        return;
      }
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
  }
}

/** The adapter's rule: ADD always, granted what fitted under the capacity before the claim. */
class MemoryBudgetStore implements RateBudgetStore {
  taken = new Map<string, number>();
  claims = 0;
  async claim(second: number, key: number, want: number, capacity: number) {
    this.claims += 1;
    const k = `${second}:${key}`;
    const before = this.taken.get(k) ?? 0;
    this.taken.set(k, before + want);
    return Math.max(0, Math.min(want, capacity - before));
  }
}

describe("RateBudget: one AssumeRole budget per second for every worker", () => {
  it.each([
    { rate: 200, keys: 8, workers: 4, concurrency: 16, slowMs: 0 },
    { rate: 1111, keys: 8, workers: 16, concurrency: 64, slowMs: 0 },
    { rate: 7, keys: 3, workers: 5, concurrency: 4, slowMs: 0 },
    // Few callers, slow to come back for their tokens (STS answering slowly): a token of a slot
    // that has passed is dropped, never spent late (spent late, a tenth of a second took 24 of
    // its 20).
    { rate: 200, keys: 8, workers: 4, concurrency: 3, slowMs: 250 },
  ])(
    "$workers workers at concurrency $concurrency never exceed $rate calls in a second ($keys keys), and use nearly all of it",
    async ({ rate, keys, workers, concurrency, slowMs }) => {
      const time = new VirtualTime();
      const store = new MemoryBudgetStore();
      const batch = budgetBatch(rate, keys);
      const calls: number[] = [];
      const seconds = 10;
      const start = time.now;
      const end = start + seconds * 1000;
      let stop = false;
      for (let w = 0; w < workers; w++) {
        const budget = new RateBudget({
          store,
          clock: time.clock,
          sleep: time.sleep,
          ratePerSecond: rate,
          budgetShards: keys,
          batch,
          keys: budgetKeysOf(w, workers, keys),
        });
        for (let c = 0; c < concurrency; c++)
          void (async () => {
            let n = 0;
            while (!stop) {
              await budget.acquire();
              if (time.now >= end) return;
              calls.push(time.now);
              // Every other call of a caller takes `slowMs` before it asks again.
              if (slowMs > 0 && n++ % 2 === 0) await time.sleep(slowMs);
            }
          })();
      }
      await time.runUntil(end);
      stop = true;
      const perSecond = new Map<number, number>();
      for (const at of calls) {
        const s = Math.floor((at - start) / 1000);
        perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
      }
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(rate);
      // No burst: no tenth of a second above its share (rounded up).
      const perSlot = new Map<number, number>();
      for (const at of calls)
        perSlot.set(Math.floor(at / 100), (perSlot.get(Math.floor(at / 100)) ?? 0) + 1);
      expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(Math.ceil(rate / 10));
      // Over the whole run, at least 90% of the budget is used (tokens left over when a batch
      // does not divide a key's share are the loss).
      // (Slow callers are bound by their own pace, not the budget.)
      if (slowMs === 0)
        expect(calls.length).toBeGreaterThanOrEqual(Math.floor(0.9 * rate * seconds));
      // Table writes: at most one per key, slot and worker claiming that key (a spent key is not
      // asked again in that slot): 10 a second per key and sharing worker, far from a hot key.
      const sharing = Math.ceil(workers / keys);
      expect(store.claims).toBeLessThanOrEqual(keys * sharing * (seconds * 10 + 1));
    },
  );

  it("splits a slot's tokens over the keys as evenly as it goes, the remainder rotating", () => {
    expect(slotCapacities(200, 8)).toEqual([25, 25, 25, 25, 25, 25, 25, 25]);
    expect(slotCapacities(10, 4)).toEqual([3, 3, 2, 2]);
    expect(slotCapacities(3, 5)).toEqual([1, 1, 1, 0, 0]);
    expect(slotCapacities(3, 5, 3)).toEqual([1, 0, 0, 1, 1]);
  });

  it.each([
    [200, 8],
    [1111, 8],
    [7, 3],
    [1, 1],
  ])("gives slots that add up to exactly %i a second (%i keys), whichever second", (rate, keys) => {
    for (const firstSlot of [0, 17_650_000_000, 17_650_000_003]) {
      const second = Math.ceil(firstSlot / 10) * 10;
      let total = 0;
      for (let slot = second; slot < second + 10; slot++)
        total += slotBudget(slot, rate, keys).reduce((a, b) => a + b, 0);
      expect(total).toBe(rate);
    }
  });

  it("at a budget of 1 a second, every worker gets its turn (no key starves)", async () => {
    const time = new VirtualTime();
    const store = new MemoryBudgetStore();
    const perWorker = [0, 0, 0, 0];
    const end = time.now + 32_000;
    let stop = false;
    for (let w = 0; w < 4; w++) {
      const budget = new RateBudget({
        store,
        clock: time.clock,
        sleep: time.sleep,
        ratePerSecond: 1,
        budgetShards: 8,
        batch: budgetBatch(1, 8),
        keys: budgetKeysOf(w, 4, 8),
      });
      void (async () => {
        while (!stop) {
          await budget.acquire();
          if (time.now >= end) return;
          perWorker[w] = (perWorker[w] ?? 0) + 1;
        }
      })();
    }
    await time.runUntil(end);
    stop = true;
    // 32 tokens over 32 seconds, 2 keys of 8 per worker: 8 each.
    expect(perWorker).toEqual([8, 8, 8, 8]);
  });

  it("refuses a worker without keys", () => {
    expect(
      () =>
        new RateBudget({
          store: new MemoryBudgetStore(),
          clock: { now: () => new Date() },
          sleep: async () => {},
          ratePerSecond: 10,
          budgetShards: 2,
          batch: 1,
          keys: [],
        }),
    ).toThrow(RangeError);
  });
});
