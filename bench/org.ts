/**
 * The organization walk (shared/services/organization-walk.ts) over a stub organization of 5,000
 * accounts in 300 OUs, 5 levels deep, whose API throttles at 2 calls a second (burst 5): calls,
 * throttled calls, time, and invocations of 14.5 minutes, in virtual time (a sleep moves the
 * clock). Prints one JSON object; bench/run.ts includes it.
 *   npx tsx bench/org.ts
 * Real: OrganizationWalk and its pacing and backoff. Stubbed: AWS Organizations
 * (test/support/org-stub.ts: pages of 20, a token bucket, TooManyRequestsException).
 */
import { pathToFileURL } from "node:url";
import { startWalk, type WalkState } from "../shared/services/organization-walk";
import { stubOrganizationWalk } from "../test/support/org-stub";

const credentials = { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" };
/** What one invocation of the sync function walks before it hands on (15 min less a margin). */
const INVOCATION_MS = 14.5 * 60_000;

async function scenario(options: { callsPerSecond: number; scoped: boolean }) {
  const { clock, org, walk } = stubOrganizationWalk(options.callsPerSecond);
  const started = clock.now().getTime();
  let state: WalkState = startWalk(options.scoped ? [org.root] : undefined);
  let invocations = 0;
  while (state.phase !== "DONE") {
    invocations += 1;
    state = await walk.run(credentials, state, clock.now().getTime() + INVOCATION_MS);
  }
  const pagesOf = (n: number) => Math.max(1, Math.ceil(n / 20));
  const pageCalls =
    pagesOf(org.members.length) +
    (options.scoped
      ? [...org.levelOf.keys()].reduce(
          (sum, p) =>
            sum +
            pagesOf(org.accountsOf.get(p)?.length ?? 0) +
            pagesOf(org.ousOf.get(p)?.length ?? 0),
          0,
        )
      : 0);
  const seconds = (clock.now().getTime() - started) / 1000;
  return {
    accounts: org.members.length,
    ous: org.levelOf.size - 1,
    levels: 5,
    apiRatePerSecond: 2,
    callsPerSecond: options.callsPerSecond,
    scope: options.scoped
      ? "walked from the root (every OU)"
      : "whole organization (ListAccounts only)",
    inScope: state.inScope.length,
    calls: state.calls,
    pageCalls,
    throttled: state.throttled,
    seconds: +seconds.toFixed(1),
    boundSeconds: +((pageCalls - 1) / options.callsPerSecond).toFixed(1),
    invocations,
  };
}

export async function organizationWalk() {
  return [
    await scenario({ callsPerSecond: 1, scoped: false }),
    await scenario({ callsPerSecond: 1, scoped: true }),
    await scenario({ callsPerSecond: 2, scoped: true }),
    await scenario({ callsPerSecond: 5, scoped: true }),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void organizationWalk().then((r) => console.log(JSON.stringify(r, null, 2)));
}
