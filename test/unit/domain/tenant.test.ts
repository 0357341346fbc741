import { describe, expect, it } from "vitest";
import {
  externalIdCandidates,
  externalIdStatus,
  rotateExternalId,
  validExternalIds,
} from "../../../shared/domain/tenant";

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
