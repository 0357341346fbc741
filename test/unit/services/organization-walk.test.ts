import { describe, expect, it } from "vitest";
import {
  type OrganizationWalk,
  startWalk,
  type WalkState,
} from "../../../shared/services/organization-walk";
import type { ManualClock } from "../../support/fakes";
import { stubOrganizationWalk } from "../../support/org-stub";

/**
 * The walk over an organization of 5,000 accounts in 300 OUs, 5 levels deep, whose API throttles
 * at 2 calls a second (burst 5), in virtual time: a sleep moves the clock.
 */
const credentials = { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" };

const setup = stubOrganizationWalk;

/** Runs the walk in invocations of `slice` ms of (virtual) time until it is done. */
async function walkAll(
  walk: OrganizationWalk,
  clock: ManualClock,
  state: WalkState,
  slice = Number.MAX_SAFE_INTEGER / 2,
) {
  let invocations = 0;
  let s = state;
  while (s.phase !== "DONE") {
    invocations += 1;
    // Saved and read back between invocations, as the table would.
    s = JSON.parse(
      JSON.stringify(await walk.run(credentials, s, clock.now().getTime() + slice)),
    ) as WalkState;
    if (invocations > 1000) throw new Error("the walk does not end");
  }
  return { state: s, invocations };
}

/** Pages of 20, at least one per parent listed. */
const pages = (n: number) => Math.max(1, Math.ceil(n / 20));

describe("OrganizationWalk: 5,000 accounts, 300 OUs, 5 levels", () => {
  it("lists the whole organization in 250 pages, below the API's rate: no call throttled", async () => {
    const { clock, org, walk } = setup(1);
    const started = clock.now().getTime();
    const { state } = await walkAll(walk, clock, startWalk());
    expect(state.members).toHaveLength(5_000);
    expect(new Set(state.inScope).size).toBe(5_000);
    expect(state.calls).toBe(250);
    expect(org.calls).toEqual({ accounts: 250, children: 0, throttled: 0 });
    // Paced at one call a second: 249 s between the first call and the last.
    expect(clock.now().getTime() - started).toBe(249_000);
  });

  it("walks chosen OUs down 4 levels: exactly their accounts, in the fewest calls the pages allow", async () => {
    const { clock, org, walk } = setup(1);
    const chosen = (org.ousOf.get(org.root) ?? []).slice(0, 2);
    const { state } = await walkAll(walk, clock, startWalk(chosen));
    const expected = chosen.flatMap((ou) => org.under(ou));
    expect([...state.inScope].sort()).toEqual([...expected].sort());
    expect(state.inScope.length).toBeGreaterThan(0);
    const ous = chosen.flatMap((ou) => org.subtree(ou));
    expect(Math.max(...ous.map((ou) => org.levelOf.get(ou) ?? 0))).toBe(5);
    const bound =
      250 +
      ous.reduce(
        (sum, ou) =>
          sum + pages(org.accountsOf.get(ou)?.length ?? 0) + pages(org.ousOf.get(ou)?.length ?? 0),
        0,
      );
    expect(state.calls).toBe(bound);
    expect(org.calls.throttled).toBe(0);
  });

  it("paced above the API's rate, it is throttled, backs off and still finishes with every account", async () => {
    const { clock, org, walk } = setup(5);
    const { state } = await walkAll(walk, clock, startWalk([org.root]));
    expect(org.calls.throttled).toBeGreaterThan(0);
    expect(state.throttled).toBe(org.calls.throttled);
    expect([...state.inScope].sort()).toEqual(org.under(org.root).sort());
    // Every call is a page or a retry of a throttled one: nothing else.
    const pageCalls = org.pageCalls(true);
    expect(pageCalls - 250).toBeGreaterThan(0); // ListAccounts' 250 pages, and ListChildren's
    expect(state.calls).toBe(org.calls.accounts + org.calls.children);
    expect(state.calls - state.throttled).toBe(pageCalls);
  });

  it("resumes across invocations from its saved state: the same result, no call made twice", async () => {
    const one = setup(1);
    const whole = await walkAll(one.walk, one.clock, startWalk([one.org.root]));
    const many = setup(1);
    const sliced = await walkAll(many.walk, many.clock, startWalk([many.org.root]), 60_000);
    expect(sliced.invocations).toBeGreaterThan(5);
    expect(sliced.state.members).toEqual(whole.state.members);
    expect(sliced.state.inScope).toEqual(whole.state.inScope);
    expect(sliced.state.calls).toBe(whole.state.calls);
    expect(many.org.calls).toEqual(one.org.calls);
  });

  it("does not swallow what the tenant must fix: an unknown OU stops the walk", async () => {
    const { clock, walk } = setup(1);
    await expect(
      walkAll(walk, clock, startWalk(["ou-stub-missing-00000000"])),
    ).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });
});
