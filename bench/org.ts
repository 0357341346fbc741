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
import { gzipSync } from "node:zlib";
import type { OrganizationJob } from "../shared/domain/organization-job";
import { startWalk, type WalkState } from "../shared/services/organization-walk";
import { organizationJobWorld } from "../test/support/org-job";
import { issueOrganization, stubOrganizationWalk } from "../test/support/org-stub";

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
  const pageCalls = org.pageCalls(options.scoped);
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

/**
 * The whole job (connect, then a sync with nothing changed) over the same organization, walked
 * from the root, through the real services (registrations, lifecycle table, audit) over in-memory
 * stores: invocations of 14.5 minutes, calls, throttled calls, virtual time, the saved state's
 * size (JSON and gzip, as the table stores it), and what the second sync writes.
 */
async function jobScenario(callsPerSecond: number) {
  const { clock, org } = issueOrganization();
  const w = await organizationJobWorld({ org, clock, callsPerSecond, concurrency: 8 });
  let peakJson = 0;
  let peakGzip = 0;
  const save = w.jobs.save.bind(w.jobs);
  w.jobs.save = async (job, state) => {
    if (state !== undefined) {
      const text = JSON.stringify(state);
      peakJson = Math.max(peakJson, text.length);
      peakGzip = Math.max(peakGzip, gzipSync(text).length);
    }
    return save(job, state);
  };
  const started = clock.now().getTime();
  const wallStart = performance.now();
  await w.connect([org.root]);
  const first = await w.drain();
  const wallMs = performance.now() - wallStart;
  const job = (first.at(-1) as { job: OrganizationJob }).job;
  const seconds = (clock.now().getTime() - started) / 1000;
  const firstWrites = { jobRecord: w.jobs.writes, stateSaves: w.jobs.stateWrites };
  const before = {
    accounts: w.writes.accounts.n,
    audit: w.writes.audit.n,
    organization: w.writes.organizations.n,
    events: w.events.length,
    jobRecord: w.jobs.writes,
  };
  await w.startSync();
  const again = ((await w.drain()).at(-1) as { job: OrganizationJob }).job;
  return {
    accounts: org.members.length,
    ous: org.levelOf.size - 1,
    apiRatePerSecond: 2,
    callsPerSecond,
    status: job.status,
    invocations: job.invocations,
    calls: job.progress.calls,
    throttled: job.progress.throttled,
    registered: job.progress.registered,
    skipped: job.progress.skipped,
    virtualSeconds: +seconds.toFixed(1),
    wallMs: Math.round(wallMs),
    peakStateJsonBytes: peakJson,
    peakStateGzipBytes: peakGzip,
    jobRecordWrites: firstWrites.jobRecord,
    stateSaves: firstWrites.stateSaves,
    secondSync: {
      invocations: again.invocations,
      alreadyRegistered: again.progress.alreadyRegistered,
      accountWrites: w.writes.accounts.n - before.accounts,
      auditWrites: w.writes.audit.n - before.audit,
      organizationWrites: w.writes.organizations.n - before.organization,
      events: w.events.length - before.events,
      jobRecordWrites: w.jobs.writes - before.jobRecord,
    },
  };
}

export async function organizationJob() {
  return [await jobScenario(1), await jobScenario(5)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    console.log(JSON.stringify(await organizationWalk(), null, 2));
    console.log(JSON.stringify(await organizationJob(), null, 2));
  })();
}
