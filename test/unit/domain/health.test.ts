import { describe, expect, it } from "vitest";
import {
  type AccountHealth,
  type CheckOutcome,
  checkOutcome,
  nextHealth,
} from "../../../shared/domain/health";

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

describe("a check's outcome and the tenant's external IDs", () => {
  const T0 = Date.parse("2026-11-23T10:00:00.000Z");
  const ids = {
    current: "cpx-two",
    currentSince: new Date(T0).toISOString(),
    previous: "cpx-one",
    previousValidUntil: new Date(T0 + 3600_000).toISOString(),
  };
  const during = new Date(T0 + 60_000);
  const after = new Date(T0 + 7200_000);
  const denied = { ok: false as const, failure: { code: "ACCESS_DENIED" as const, message: "no" } };

  it.each([
    [
      "passes with the current ID",
      undefined,
      { ok: true as const, externalId: "cpx-two" },
      during,
      true,
      undefined,
    ],
    [
      "passes with the previous ID during the overlap: a warning",
      undefined,
      { ok: true as const, externalId: "cpx-one" },
      during,
      true,
      "EXTERNAL_ID_PREVIOUS",
    ],
    [
      "refused while recorded on the previous ID after the overlap",
      "cpx-one",
      denied,
      after,
      false,
      "EXTERNAL_ID_EXPIRED",
    ],
    [
      "refused while recorded on the current ID: plain access denied",
      "cpx-two",
      denied,
      after,
      false,
      "ACCESS_DENIED",
    ],
    [
      "refused during the overlap: plain access denied",
      "cpx-one",
      denied,
      during,
      false,
      "ACCESS_DENIED",
    ],
    [
      "refused with nothing recorded: plain access denied",
      undefined,
      denied,
      after,
      false,
      "ACCESS_DENIED",
    ],
  ] as const)("%s", (_name, recorded, result, now, ok, code) => {
    const outcome = checkOutcome(ids, recorded, result, now, 10);
    expect(outcome.ok).toBe(ok);
    expect(outcome.ok ? outcome.warning?.code : outcome.code).toBe(code);
  });

  it("a warning degrades the account without counting as a failure; passing clean heals it", () => {
    const warned = checkOutcome(ids, undefined, { ok: true, externalId: "cpx-one" }, during, 10);
    const first = nextHealth(state("HEALTHY"), warned, AT, 3);
    expect(first.health).toMatchObject({
      state: "DEGRADED",
      consecutiveFailures: 0,
      lastErrorCode: "EXTERNAL_ID_PREVIOUS",
    });
    expect(first.change?.reason).toBe("EXTERNAL_ID_PREVIOUS");
    const healed = nextHealth(first.health, ok, AT, 3);
    expect(healed.health.state).toBe("HEALTHY");
    expect(healed.health.lastErrorCode).toBeUndefined();
  });

  it("an expired ID makes the account UNHEALTHY at once", () => {
    const expired = checkOutcome(ids, "cpx-one", denied, after, 10);
    expect(nextHealth(state("DEGRADED"), expired, AT, 3).health.state).toBe("UNHEALTHY");
  });
});
