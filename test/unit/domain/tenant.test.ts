import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AccountStatus } from "../../../shared/domain/account";
import {
  decideRotation,
  externalIdCandidates,
  externalIdStatus,
  holdsRotation,
  ROTATION_HOLDS,
  type RotationAccount,
  requireRotation,
  rotateExternalId,
  validExternalIds,
} from "../../../shared/domain/tenant";
import { ConflictError } from "../../../shared/errors";
import { ROOT } from "../../../tools/local-aws/local-stack";

const T0 = new Date("2026-11-23T10:00:00.000Z");
const HOUR = 3600_000;

describe("external ID rotation", () => {
  const initial = { current: "cpx-one", currentSince: T0.toISOString() };

  it("makes the new ID current and keeps the old one until the overlap ends", () => {
    const at = new Date(T0.getTime() + HOUR);
    const next = rotateExternalId(initial, "cpx-two", at, 24 * 3600);
    expect(next).toEqual({
      current: "cpx-two",
      currentSince: at.toISOString(),
      previous: "cpx-one",
      previousValidUntil: new Date(at.getTime() + 24 * HOUR).toISOString(),
    });
  });

  it("drops an ID that was already previous on the next rotation", () => {
    const once = rotateExternalId(initial, "cpx-two", T0, 3600);
    const twice = rotateExternalId(once, "cpx-three", T0, 3600);
    expect(validExternalIds(twice, T0).map((v) => v.externalId)).toEqual(["cpx-three", "cpx-two"]);
  });

  it.each([
    ["during the overlap", 23 * HOUR, ["cpx-two", "cpx-one"]],
    ["at its last instant", 24 * HOUR - 1, ["cpx-two", "cpx-one"]],
    ["when it ends", 24 * HOUR, ["cpx-two"]],
    ["after it", 48 * HOUR, ["cpx-two"]],
  ])("validExternalIds %s", (_when, offset, expected) => {
    const rotated = rotateExternalId(initial, "cpx-two", T0, 24 * 3600);
    const now = new Date(T0.getTime() + (offset as number));
    expect(validExternalIds(rotated, now).map((v) => v.externalId)).toEqual(expected);
  });

  it("with a zero overlap, the old ID stops at once", () => {
    const rotated = rotateExternalId(initial, "cpx-two", T0, 0);
    expect(validExternalIds(rotated, T0).map((v) => v.externalId)).toEqual(["cpx-two"]);
  });
});

describe("which external ID to present, and what an account relies on", () => {
  // Rotated at T0 from cpx-one to cpx-two, with a 24-hour overlap.
  const state = rotateExternalId(
    { current: "cpx-one", currentSince: new Date(T0.getTime() - HOUR).toISOString() },
    "cpx-two",
    T0,
    24 * 3600,
  );
  const during = new Date(T0.getTime() + HOUR);
  const after = new Date(T0.getTime() + 25 * HOUR);

  it.each([
    [
      "nothing recorded, during the overlap: current first",
      undefined,
      during,
      ["cpx-two", "cpx-one"],
    ],
    [
      "the previous ID recorded, during the overlap: it first",
      "cpx-one",
      during,
      ["cpx-one", "cpx-two"],
    ],
    ["the current ID recorded: it first", "cpx-two", during, ["cpx-two", "cpx-one"]],
    ["the previous ID recorded, after the overlap: only current", "cpx-one", after, ["cpx-two"]],
    ["an unknown ID recorded: the valid ones", "cpx-zero", during, ["cpx-two", "cpx-one"]],
    ["nothing recorded, after the overlap: only current", undefined, after, ["cpx-two"]],
  ])("%s", (_name, recorded, now, expected) => {
    expect(externalIdCandidates(state, recorded, now)).toEqual(expected);
  });

  it.each([
    [undefined, during, undefined],
    ["cpx-two", during, "CURRENT"],
    ["cpx-one", during, "PREVIOUS"],
    ["cpx-one", after, "EXPIRED"],
    ["cpx-two", after, "CURRENT"],
    ["cpx-zero", during, "EXPIRED"],
  ])("recorded %s at %s → %s", (recorded, now, expected) => {
    expect(externalIdStatus(state, recorded, now)).toBe(expected);
  });
});

describe("when a rotation would strand accounts", () => {
  const spec = JSON.parse(
    readFileSync(join(ROOT, "test/fixtures/rotation-holds.json"), "utf8"),
  ) as { holds: Record<AccountStatus, Record<string, boolean>> };
  // Rotated at T0 from cpx-one to cpx-two, with a 24-hour overlap; checked an hour later.
  const state = rotateExternalId(
    { current: "cpx-one", currentSince: new Date(T0.getTime() - HOUR).toISOString() },
    "cpx-two",
    T0,
    24 * 3600,
  );
  const now = new Date(T0.getTime() + HOUR);
  /** An accepted ID for each thing an account can have been seen accepting, at `now`. */
  const SEEN: Record<string, string | undefined> = {
    CURRENT: "cpx-two",
    PREVIOUS: "cpx-one",
    EXPIRED: "cpx-zero",
    UNSEEN: undefined,
  };
  const account = (accountId: string, status: AccountStatus, seen: string): RotationAccount => ({
    accountId,
    status,
    ...(SEEN[seen] === undefined ? {} : { acceptedExternalId: SEEN[seen] }),
  });

  it("the table is the one spelled out in test/fixtures/rotation-holds.json", () => {
    expect(ROTATION_HOLDS).toEqual(spec.holds);
  });

  const cells = Object.entries(spec.holds).flatMap(([status, row]) =>
    Object.entries(row).map(([seen, holds]) => [status as AccountStatus, seen, holds] as const),
  );
  it.each(cells)("a %s account seen %s holds it back: %s", (status, seen, holds) => {
    const a = account("111111111111", status, seen);
    expect(externalIdStatus(state, a.acceptedExternalId, now) ?? "UNSEEN").toBe(seen);
    expect(holdsRotation(state, a, now)).toBe(holds);
    expect(decideRotation(state, [a], now, false)).toEqual({
      allowed: !holds,
      lagging: holds ? 1 : 0,
      sample: holds ? ["111111111111"] : [],
    });
  });

  it("a status the table does not know holds it back (fail closed)", () => {
    const odd = {
      accountId: "1",
      status: "PENDING" as AccountStatus,
      acceptedExternalId: "cpx-two",
    };
    expect(holdsRotation(state, odd, now)).toBe(true);
  });

  it("a tenant with no accounts rotates freely", () => {
    expect(decideRotation(state, [], now, false)).toEqual({
      allowed: true,
      lagging: 0,
      sample: [],
    });
  });

  it("counts every lagging account and names the first ten, sorted; force allows it", () => {
    const accounts = [
      ...Array.from({ length: 12 }, (_, i) =>
        account(String(999999999000 - i), i % 2 ? "FAILED" : "VERIFIED", "PREVIOUS"),
      ),
      account("100000000000", "VERIFIED", "CURRENT"),
      account("100000000001", "DETACHED", "PREVIOUS"),
    ];
    const refused = decideRotation(state, accounts, now, false);
    expect(refused.allowed).toBe(false);
    expect(refused.lagging).toBe(12);
    // 999999999000 down to 999999998989: the ten lowest, in order.
    expect(refused.sample).toEqual(Array.from({ length: 10 }, (_, i) => String(999999998989 + i)));
    expect(decideRotation(state, accounts, now, true)).toEqual({ ...refused, allowed: true });
    const err = (() => {
      try {
        requireRotation("tnt_a", state, accounts, now, false);
      } catch (e) {
        return e;
      }
    })() as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
    expect(err.details).toEqual({ laggingAccounts: 12, accountIds: refused.sample });
    expect(err.message).toMatch(/^12 accounts have not been seen .*, and 2 more\)/);
  });
});
