import { describe, expect, it } from "vitest";
import { type BrokerState, decideSession, sessionCacheKey } from "../../../shared/domain/session";
import table from "../../fixtures/session-cases.json";

type Json = Record<string, unknown>;

/** Deep merge where null removes a field: how a case changes the base state. */
function patch(base: unknown, change: unknown): unknown {
  if (change === undefined) return base;
  if (change === null) return undefined;
  if (typeof change !== "object" || Array.isArray(change) || typeof base !== "object" || !base)
    return change;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(change as Json)) {
    const next = patch(out[k], v);
    if (next === undefined) delete out[k];
    else out[k] = next;
  }
  return out;
}

interface Case {
  name: string;
  state?: Json;
  request?: Json;
  context?: { permissionSetRead?: boolean };
  expect: Json;
}

const { base } = table;

describe("decideSession (test/fixtures/session-cases.json)", () => {
  it.each(table.cases as Case[])("$name", (c) => {
    const { request: baseRequest, now, ...baseState } = base;
    const state = patch(baseState, c.state) as BrokerState;
    const request = patch(baseRequest, c.request) as Parameters<typeof decideSession>[1];
    const decision = decideSession(
      state,
      request,
      { service: "billing" },
      {
        now: new Date(now),
        defaultRegion: "us-east-1",
        ...c.context,
      },
    );
    const { permissionSet, ...rest } = c.expect;
    expect(decision).toMatchObject(rest);
    if (decision.kind === "ISSUE") {
      if (permissionSet) expect(decision.permissionSet.name).toBe(permissionSet);
      // What the STS call carries: attribution that the service cannot choose.
      expect(decision.sourceIdentity).toBe("billing");
      expect(decision.tags).toEqual([
        { key: "tenant", value: "tnt_a" },
        { key: "service", value: "billing" },
      ]);
    }
  });

  it("gives another cache key to anything that must give another session", () => {
    const { request, now, ...state } = base;
    const issue = (s: unknown) => {
      const d = decideSession(
        s as BrokerState,
        request,
        { service: "billing" },
        {
          now: new Date(now),
          defaultRegion: "us-east-1",
        },
      );
      if (d.kind !== "ISSUE") throw new Error(d.kind);
      return d.cacheKey;
    };
    const key = issue(state);
    expect(issue(patch(state, { account: { brakeGeneration: 1 } }))).not.toBe(key);
    expect(issue(patch(state, { permissionSet: { policy: '{"v":2}' } }))).not.toBe(key);
    expect(issue(patch(state, { tenant: { externalId: { current: "cpx-other" } } }))).not.toBe(key);
    expect(key).toBe(
      sessionCacheKey({
        service: "billing",
        roleArn: "arn:aws:iam::111122223333:role/Access",
        externalIds: ["cpx-current"],
        brakeGeneration: 0,
        permissionSet: "ReadOnly",
        policy: "{}",
        region: "eu-west-1",
        durationSeconds: 3600,
      }),
    );
  });
});
