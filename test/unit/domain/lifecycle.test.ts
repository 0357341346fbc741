import { describe, expect, it } from "vitest";
import type { AccountSource } from "../../../shared/domain/account";
import {
  decide,
  LIFECYCLE_EVENTS,
  type LifecycleEvent,
  type LifecycleState,
  requireTransition,
  sessionBlocker,
} from "../../../shared/domain/lifecycle";
import cases from "../../fixtures/lifecycle-cases.json";

type Owner = "self" | "other" | "any" | "none";
interface Case {
  state: LifecycleState;
  frozen: boolean;
  owner: Owner;
  event: LifecycleEvent;
  expect:
    | { to: LifecycleState; frozen: boolean; effect: boolean }
    | { refusal: "not-found" | "conflict"; code: string };
}

/** The sender of an event: a stack, an organization, or the API. */
function sender(event: LifecycleEvent): AccountSource {
  if (event.startsWith("STACK_")) return { kind: "cloudformation", stackId: "stack-1" };
  if (event.startsWith("ORG_"))
    return { kind: "organization", managementAccountId: "111111111111" };
  return { kind: "api" };
}

/** The account's own source: the sender's (self) or someone else's (other). */
function sourceOf(event: LifecycleEvent, owner: Owner): AccountSource {
  const by = sender(event);
  if (owner !== "other")
    return by.kind === "api" ? { kind: "cloudformation", stackId: "stack-2" } : by;
  return by.kind === "organization"
    ? { kind: "organization", managementAccountId: "222222222222" }
    : { kind: "cloudformation", stackId: "stack-2" };
}

function accountIn(c: Case) {
  if (c.state === "ABSENT") return undefined;
  return {
    status: c.state,
    source: sourceOf(c.event, c.owner),
    ...(c.frozen ? { frozen: { at: "2026-12-01T00:00:00.000Z", keyId: "key_a" } } : {}),
  };
}

describe("the account lifecycle table (test/fixtures/lifecycle-cases.json)", () => {
  it.each(cases as Case[])("$state frozen=$frozen owner=$owner + $event", (c) => {
    const d = decide(accountIn(c), c.event, sender(c.event));
    if ("code" in c.expect) {
      expect(d).toMatchObject({ allowed: false, refusal: c.expect.refusal, code: c.expect.code });
    } else {
      expect(d).toMatchObject({ allowed: true, ...c.expect });
    }
  });

  it("covers every event from every state, frozen or not", () => {
    const seen = new Set((cases as Case[]).map((c) => `${c.state}/${c.frozen}/${c.event}`));
    for (const state of ["ABSENT", "VERIFIED", "FAILED", "DETACHED"] as const)
      for (const frozen of state === "ABSENT" ? [false] : [false, true])
        for (const event of LIFECYCLE_EVENTS) expect(seen).toContain(`${state}/${frozen}/${event}`);
  });

  it("lets only UNFREEZE clear a freeze, and only a tenant's deletion remove a frozen account", () => {
    for (const c of cases as Case[]) {
      if (!c.frozen || "code" in c.expect) continue;
      if (c.event === "UNFREEZE") expect(c.expect.frozen).toBe(false);
      else if (c.event === "TENANT_DELETE") expect(c.expect.to).toBe("ABSENT");
      else {
        expect(c.expect.frozen, `${c.state} + ${c.event}`).toBe(true);
        expect(c.expect.to).not.toBe("ABSENT");
      }
    }
  });

  it("never lets a stack or an organization change an account it does not own", () => {
    for (const c of cases as Case[]) {
      if (c.owner !== "other" || c.event === "ORG_JOIN") continue;
      if (!("code" in c.expect)) {
        expect(c.expect.effect, `${c.state} + ${c.event}`).toBe(false);
        expect(c.expect.to).toBe(c.state);
      }
    }
  });

  it("answers a refused transition with the API's error: 409 with the code, or 404", () => {
    const frozen = {
      status: "VERIFIED" as const,
      source: { kind: "api" as const },
      frozen: { at: "x", keyId: "k" },
    };
    expect(() => requireTransition(frozen, "DELETE", "444455556666")).toThrow(
      expect.objectContaining({ status: 409, code: "ACCOUNT_FROZEN" }),
    );
    expect(() => requireTransition(undefined, "FREEZE", "444455556666")).toThrow(
      expect.objectContaining({ status: 404, code: "ACCOUNT_NOT_FOUND" }),
    );
  });
});

describe("sessionBlocker", () => {
  const active = { status: "ACTIVE" as const };
  it.each([
    [undefined, { status: "VERIFIED" as const }, "TENANT_NOT_FOUND"],
    [{ status: "DELETING" as const }, { status: "VERIFIED" as const }, "TENANT_NOT_FOUND"],
    [{ ...active, suspended: true }, { status: "VERIFIED" as const }, "TENANT_SUSPENDED"],
    [active, undefined, "ACCOUNT_NOT_FOUND"],
    [active, { status: "VERIFIED" as const, frozen: { at: "x", keyId: "k" } }, "ACCOUNT_FROZEN"],
    [active, { status: "DETACHED" as const, frozen: { at: "x", keyId: "k" } }, "ACCOUNT_FROZEN"],
    [active, { status: "FAILED" as const }, "ACCOUNT_UNAVAILABLE"],
    [active, { status: "DETACHED" as const }, "ACCOUNT_UNAVAILABLE"],
    [active, { status: "VERIFIED" as const }, undefined],
  ])("tenant %j, account %j: %s", (tenant, account, expected) => {
    // biome-ignore lint/suspicious/noExplicitAny: table rows of partial records
    expect(sessionBlocker(tenant as any, account as any)).toBe(expected);
  });
});
