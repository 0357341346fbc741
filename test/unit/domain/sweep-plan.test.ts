import { describe, expect, it } from "vitest";
import {
  budgetKeysOf,
  periodStart,
  sweepCapacity,
  workerShards,
} from "../../../shared/domain/sweep-plan";

describe("the sweep's plan", () => {
  it.each([
    ["2026-12-02T10:14:59.999Z", 15, "2026-12-02T10:00:00.000Z"],
    ["2026-12-02T10:15:00.000Z", 15, "2026-12-02T10:15:00.000Z"],
    ["2026-12-02T23:59:00.000Z", 60, "2026-12-02T23:00:00.000Z"],
    ["2026-12-02T10:07:30.000Z", 1, "2026-12-02T10:07:00.000Z"],
  ])("%s in periods of %i minutes starts at %s", (now, minutes, start) => {
    expect(periodStart(new Date(now), minutes)).toBe(start);
  });

  it("gives every shard to exactly one worker, whatever the counts", () => {
    for (const shards of [1, 4, 16, 17, 100])
      for (const workers of [1, 2, 3, 4, 16, 64]) {
        const all = Array.from({ length: workers }, (_, w) => workerShards(w, workers, shards));
        expect(all.flat().sort((a, b) => a - b)).toEqual(
          Array.from({ length: shards }, (_, s) => s),
        );
        // Shares differ by one shard at most.
        const sizes = all.map((a) => a.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    expect(() => workerShards(4, 4, 16)).toThrow(RangeError);
  });

  it("gives every budget key to some worker, each worker at least one", () => {
    for (const keys of [1, 2, 8, 12])
      for (const workers of [1, 2, 4, 8, 16]) {
        const all = Array.from({ length: workers }, (_, w) => budgetKeysOf(w, workers, keys));
        expect(all.every((k) => k.length >= 1)).toBe(true);
        expect(new Set(all.flat()).size).toBe(keys);
      }
    expect(budgetKeysOf(1, 4, 8)).toEqual([1, 5]);
    expect(budgetKeysOf(9, 16, 8)).toEqual([1]);
  });

  it.each([
    // 1,000,000 accounts, 1 call a check, 1,112 a second: 899 s, within 15 minutes.
    [1_000_000, 1, 1_112, 15, false],
    // With the negative probe, twice the calls: over.
    [1_000_000, 2, 1_112, 15, true],
    [90_000, 2, 200, 15, false],
    [90_001, 2, 200, 15, true],
  ])(
    "%i accounts × %i calls at %i/s in %i minutes: overrun %s",
    (accounts, calls, rate, minutes, overrun) => {
      const c = sweepCapacity({
        accounts,
        callsPerCheck: calls,
        assumeRolePerSecond: rate,
        periodMinutes: minutes,
      });
      expect(c.overrun).toBe(overrun);
      expect(c.seconds).toBeCloseTo((accounts * calls) / rate, 6);
    },
  );
});
