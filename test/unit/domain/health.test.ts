import { describe, expect, it } from "vitest";
import { type AccountHealth, type CheckOutcome, nextHealth } from "../../../shared/domain/health";

const AT = "2026-11-23T10:00:00.000Z";
const ok: CheckOutcome = { ok: true, latencyMs: 120 };
const fail = (
  code: "THROTTLED" | "TIMEOUT" | "ROLE_NOT_FOUND" | "EXTERNAL_ID_NOT_REQUIRED",
): CheckOutcome => ({
  ok: false,
  code,
  message: code,
  latencyMs: 50,
});
const state = (s: AccountHealth["state"], consecutiveFailures = 0): AccountHealth => ({
  state: s,
  since: "2026-11-23T09:00:00.000Z",
  lastCheckedAt: "2026-11-23T09:45:00.000Z",
  latencyMs: 100,
  consecutiveFailures,
});

describe("health transitions (unhealthy after 3 timeouts in a row)", () => {
  it.each([
    ["first check passes", undefined, ok, "HEALTHY", true],
    ["healthy stays healthy", state("HEALTHY"), ok, "HEALTHY", false],
    ["throttling degrades", state("HEALTHY"), fail("THROTTLED"), "DEGRADED", true],
    [
      "throttling never makes it unhealthy",
      state("DEGRADED", 10),
      fail("THROTTLED"),
      "DEGRADED",
      false,
    ],
    ["a first timeout degrades", state("HEALTHY"), fail("TIMEOUT"), "DEGRADED", true],
    [
      "the third timeout in a row makes it unhealthy",
      state("DEGRADED", 2),
      fail("TIMEOUT"),
      "UNHEALTHY",
      true,
    ],
    [
      "a deleted role is unhealthy at once",
      state("HEALTHY"),
      fail("ROLE_NOT_FOUND"),
      "UNHEALTHY",
      true,
    ],
    [
      "trust-policy drift is unhealthy at once",
      state("DEGRADED", 1),
      fail("EXTERNAL_ID_NOT_REQUIRED"),
      "UNHEALTHY",
      true,
    ],
    [
      "unhealthy stays unhealthy without a new event",
      state("UNHEALTHY", 4),
      fail("ROLE_NOT_FOUND"),
      "UNHEALTHY",
      false,
    ],
    ["a passing check restores it", state("UNHEALTHY", 4), ok, "HEALTHY", true],
  ] as const)("%s", (_name, previous, outcome, expected, announces) => {
    const { health, change } = nextHealth(previous, outcome, AT, 3);
    expect(health.state).toBe(expected);
    expect(change !== undefined).toBe(announces);
    if (change) expect(change).toMatchObject({ from: previous?.state, to: expected });
    expect(health.since).toBe(announces ? AT : previous?.since);
    expect(health.consecutiveFailures).toBe(
      outcome.ok ? 0 : (previous?.consecutiveFailures ?? 0) + 1,
    );
  });
});
