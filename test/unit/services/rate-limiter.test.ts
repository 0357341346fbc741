import { beforeEach, describe, expect, it } from "vitest";
import { rateBucketOf, rateWindow } from "../../../shared/domain/rate-limit";
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

describe("rateBucketOf: whose budget a request spends", () => {
  const admin = { keyId: "key_admin", role: "admin" as const };
  const tenantKey = { keyId: "key_t", role: "tenant" as const, tenantId: "tnt_a" };
  const service = { keyId: "key_s", role: "service" as const, service: "billing" };
  it.each([
    // route scope, caller, tenant of the path, bucket, subject
    ["tenant", tenantKey, "tnt_a", "tenant", "tnt_a"],
    ["tenant", admin, "tnt_a", "admin", "tnt_a#key_admin"],
    ["tenant", { ...admin, keyId: "key_oncall" }, "tnt_a", "admin", "tnt_a#key_oncall"],
    ["tenant", admin, "tnt_b", "admin", "tnt_b#key_admin"],
    ["tenant", service, "tnt_a", "tenant", "tnt_a"],
    ["service", service, undefined, "service", "billing"],
    ["service", { keyId: "key_x", role: "service" as const }, undefined, "service", "key_x"],
  ] as const)("%s route, %o on %s: %s#%s", (scope, caller, tenantId, bucket, subject) => {
    expect(rateBucketOf(scope, caller, tenantId)).toEqual({ bucket, subject });
  });

  it("a tenant route without a tenant in its path is a bug, not some other budget", () => {
    expect(() => rateBucketOf("tenant", admin, undefined)).toThrow(/without \{tenantId\}/);
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

  it("an admin key's budget on a tenant is its own: the tenant's spent, the admin is admitted; its own spent, 429", async () => {
    const l = limiter();
    await l.admit("tenant", "tnt_a");
    await l.admit("tenant", "tnt_a");
    await expect(l.admit("tenant", "tnt_a")).rejects.toBeInstanceOf(RateLimitedError);
    await l.admit("admin", "tnt_a#key_1");
    await l.admit("admin", "tnt_a#key_1");
    const err = await l.admit("admin", "tnt_a#key_1").catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(err.message).toMatch(/admin key's limit of 2 changes per minute on this tenant/);
    await expect(l.admit("admin", "tnt_a#key_2")).resolves.toBeUndefined();
    expect([...counters.counts.keys()].map((k) => k.split("@")[0]).sort()).toEqual([
      "admin#tnt_a#key_1",
      "admin#tnt_a#key_2",
      "tenant#tnt_a",
    ]);
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
