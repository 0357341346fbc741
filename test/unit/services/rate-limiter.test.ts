import { beforeEach, describe, expect, it } from "vitest";
import { rateWindow } from "../../../shared/domain/rate-limit";
import { RateLimitedError } from "../../../shared/errors";
import { RateLimiter } from "../../../shared/services/rate-limiter";
import { ManualClock } from "../../support/fakes";
import { MemoryRateCounterStore } from "../../support/memory";

describe("rateWindow", () => {
  it.each([
    // now (ms into the minute), window start (ms into the minute), retry after (s)
    [0, 0, 60],
    [1, 0, 60],
    [59_000, 0, 1],
    [59_999, 0, 1],
    [60_000, 60_000, 60],
    [90_500, 60_000, 30],
  ])("at +%i ms the window starts at +%i and the next in %i s", (offset, start, retry) => {
    const base = Date.parse("2026-12-02T10:00:00.000Z");
    expect(rateWindow(base + offset)).toEqual({ start: base + start, retryAfterSeconds: retry });
  });
});

describe("RateLimiter", () => {
  let clock: ManualClock;
  let counters: MemoryRateCounterStore;
  const limiter = (limits = { sessionsPerMinute: 3, tenantWritesPerMinute: 2 }) =>
    new RateLimiter({ counters, clock, limits });

  beforeEach(() => {
    clock = new ManualClock(new Date("2026-12-02T10:00:15.000Z"));
    counters = new MemoryRateCounterStore();
  });

  it("admits up to the limit in a window, then refuses with 429 and the seconds left", async () => {
    const l = limiter();
    await l.admit("tenant", "tnt_a");
    await l.admit("tenant", "tnt_a");
    const err = await l.admit("tenant", "tnt_a").catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfterSeconds: 45 });
    // A refusal is not counted: the window holds exactly the limit.
    expect([...counters.counts.values()]).toEqual([2]);
  });

  it("counts each subject and scope apart", async () => {
    const l = limiter();
    await l.admit("tenant", "tnt_a");
    await l.admit("tenant", "tnt_a");
    await expect(l.admit("tenant", "tnt_b")).resolves.toBeUndefined();
    for (let i = 0; i < 3; i++) await l.admit("service", "tnt_a");
    await expect(l.admit("service", "tnt_a")).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("starts again in the next window", async () => {
    const l = limiter();
    await l.admit("tenant", "tnt_a");
    await l.admit("tenant", "tnt_a");
    clock.advance(45_000);
    await expect(l.admit("tenant", "tnt_a")).resolves.toBeUndefined();
  });

  it("a limit of 0 is off: nothing is counted", async () => {
    const l = limiter({ sessionsPerMinute: 0, tenantWritesPerMinute: 0 });
    for (let i = 0; i < 10; i++) await l.admit("tenant", "tnt_a");
    expect(counters.counts.size).toBe(0);
  });
});
