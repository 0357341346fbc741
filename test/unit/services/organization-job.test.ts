import { describe, expect, it } from "vitest";
import type { OrganizationJob } from "../../../shared/domain/organization-job";
import { ServiceUnavailableError } from "../../../shared/errors";
import type { OrganizationJobOutcome } from "../../../shared/services/organization-job";
import { QueuedLinks } from "../../../tools/local-aws/queued-jobs";
import { ManualClock } from "../../support/fakes";
import { MANAGEMENT, organizationJobWorld } from "../../support/org-job";
import { issueOrganization, StubOrganization } from "../../support/org-stub";

/**
 * Connect, the organization job and the schedule over in-memory stores with the real services;
 * AWS Organizations is the stub organization (pages of 20, a token bucket that throttles), in
 * virtual time: a sleep moves the clock.
 */
function smallOrg(clock: ManualClock, shape: Partial<{ accounts: number; ous: number }> = {}) {
  // A root and OUs in 2 levels; accounts round-robin over the root and every OU.
  return new StubOrganization({
    accounts: shape.accounts ?? 12,
    ous: shape.ous ?? 4,
    levels: 2,
    apiRate: 100,
    apiBurst: 100,
    clock,
  });
}

async function world(options: { accounts?: number; ous?: number; checkpointMs?: number } = {}) {
  const clock = new ManualClock(new Date("2026-12-03T10:00:00.000Z"));
  const org = smallOrg(clock, options);
  const w = await organizationJobWorld({
    org,
    clock,
    ...(options.checkpointMs === undefined ? {} : { checkpointMs: options.checkpointMs }),
  });
  return { ...w, org };
}

const ids = (xs: Iterable<string>) => [...xs].sort();
const outcomes = (xs: OrganizationJobOutcome[]) => xs.map((o) => o.outcome);
const lastJob = (xs: OrganizationJobOutcome[]) =>
  (xs.at(-1) as { job: OrganizationJob } | undefined)?.job;

describe("connect", () => {
  it("answers at once with a CONNECT job; the job registers every ACTIVE member", async () => {
    const w = await world();
    const { job, created } = await w.connect();
    expect(created).toBe(true);
    expect(job).toMatchObject({ kind: "CONNECT", status: "RUNNING", phase: "LISTING" });
    expect(w.links.links).toEqual([{ tenantId: w.tenantId, jobId: job.jobId }]);
    expect(w.registered().size).toBe(0); // nothing registered while the caller waits
    expect(w.auditStore.records.at(-1)).toMatchObject({
      action: "ORGANIZATION_CONNECT",
      target: job.jobId,
      keyId: "key_admin",
    });

    const done = await w.drain();
    expect(outcomes(done)).toEqual(["SUCCEEDED"]);
    const all = w.org.members.map((m) => m.accountId);
    expect(ids(w.registered().keys())).toEqual(ids(all));
    expect(w.registered().get(all[0] as string)).toMatchObject({
      status: "VERIFIED",
      roleArn: `arn:aws:iam::${all[0]}:role/Access`,
      source: { kind: "organization", managementAccountId: MANAGEMENT },
    });
    expect(ids(w.events.map((e) => e.accountId))).toEqual(ids(all));
    // The registrations are on record as the connecting caller's, and the sync once.
    const registrations = w.auditStore.records.filter((r) => r.action === "ACCOUNT_REGISTER");
    expect(registrations).toHaveLength(12);
    expect(registrations.every((r) => r.keyId === "key_admin")).toBe(true);
    expect(w.auditStore.records.filter((r) => r.action === "ORGANIZATION_SYNC")).toHaveLength(1);

    const { connection, job: latest } = await w.records.withJob(w.tenantId);
    expect(connection.managementAccountId).toBe(MANAGEMENT);
    expect(latest).toMatchObject({
      jobId: job.jobId,
      status: "SUCCEEDED",
      phase: "DONE",
      invocations: 1,
      progress: { listed: 12, members: 12, toRegister: 12, registered: 12, calls: 1 },
    });
    expect(w.jobs.states.size).toBe(0); // a finished job keeps no state
  });

  it("refuses a role that is not the organization's management account: nothing stored, no job", async () => {
    const w = await world();
    w.describe.managementAccountId = "111111111111";
    await expect(w.connect()).rejects.toMatchObject({
      status: 422,
      code: "NOT_MANAGEMENT_ACCOUNT",
    });
    expect(w.organizationStore.connections.size).toBe(0);
    expect(w.jobs.jobs.size).toBe(0);
    expect(w.links.links).toEqual([]);
  });

  it("a second organization for the same tenant is refused until the first is disconnected", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    w.describe.managementAccountId = "888888888888";
    await expect(
      w.service.connect(
        w.tenantId,
        {
          managementAccountId: "888888888888",
          managementRoleArn: "arn:aws:iam::888888888888:role/Reader",
          memberRoleName: "Access",
        },
        { requestId: "r", keyId: "key_admin", keyRole: "admin" },
      ),
    ).rejects.toMatchObject({ status: 409, code: "ORGANIZATION_ALREADY_CONNECTED" });
    await w.records.disconnect(w.tenantId, false, { requestId: "r", keyId: "k", keyRole: "admin" });
    expect(w.registered().size).toBe(12); // accounts stay
    expect(w.jobs.jobs.size).toBe(0); // the job is forgotten with the connection
  });

  it("connecting again replaces the running job: the old chain stops, the new settings apply", async () => {
    const w = await world({ accounts: 200, ous: 20 });
    await w.connect(["r-stub"]);
    // The first link runs 10 s (40 s less the 30 s it keeps) and hands on.
    expect(
      outcomes(
        await w.jobRunner
          .runLink(w.links.links.shift() as never, {
            id: "first",
            remainingMs: 40_000,
            launcher: w.links,
          })
          .then((o) => [o]),
      ),
    ).toEqual(["CONTINUED"]);
    const oldLinks = w.links.links.splice(0);
    const scope = "ou-stub-00000000";
    const { job } = await w.connect([scope]);
    w.links.links.unshift(...oldLinks);
    const done = await w.drain();
    expect(done[0]).toMatchObject({ outcome: "SKIPPED" }); // the old job's link
    expect(lastJob(done)).toMatchObject({ jobId: job.jobId, status: "SUCCEEDED" });
    const active = new Set(
      w.org.members.filter((m) => m.state === "ACTIVE").map((m) => m.accountId),
    );
    // Only the new scope's members are brokered.
    const inScope = w.org.under(scope).filter((id) => active.has(id));
    const brokered = [...w.registered().values()].filter((a) => a.status !== "DETACHED");
    expect(ids(brokered.map((a) => a.accountId))).toEqual(ids(inScope));
  });
});

describe("disconnect", () => {
  const actor = { requestId: "r", keyId: "key_admin", keyRole: "admin" } as const;

  it("with removeAccounts deregisters only what the organization registered", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    const own = w.registered().get(w.org.members[0]?.accountId as string);
    w.accountStore.accounts.set(`${w.tenantId}/555555555555`, {
      ...(own as NonNullable<typeof own>),
      accountId: "555555555555",
      source: { kind: "api" },
    });
    await w.records.disconnect(w.tenantId, true, actor);
    expect([...w.registered().keys()]).toEqual(["555555555555"]);
  });

  it("with removeAccounts refuses, changing nothing, while one of them is frozen", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    const id = w.org.members[0]?.accountId as string;
    const key = [...w.accountStore.accounts.keys()].find((k) => k.endsWith(id)) as string;
    const account = w.accountStore.accounts.get(key);
    w.accountStore.accounts.set(key, {
      ...(account as NonNullable<typeof account>),
      frozen: { at: "x", keyId: "key_a" },
    });
    await expect(w.records.disconnect(w.tenantId, true, actor)).rejects.toMatchObject({
      status: 409,
      code: "ACCOUNT_FROZEN",
    });
    expect(w.registered().size).toBe(12);
    expect(w.organizationStore.connections.size).toBe(1); // still connected
    expect(w.jobs.jobs.size).toBe(1);
  });
});

describe("the organization job", () => {
  it("chosen OUs: each listed once, their child OUs included", async () => {
    const w = await world();
    const scope = ["ou-stub-00000000", "ou-stub-00000002"]; // an OU and its own child
    expect(w.org.subtree("ou-stub-00000000")).toContain("ou-stub-00000002");
    await w.connect(scope);
    const done = await w.drain();
    expect(ids(w.registered().keys())).toEqual(ids(w.org.under("ou-stub-00000000")));
    // Each OU of the subtree listed once for accounts and once for child OUs.
    expect(w.org.calls.children).toBe(w.org.subtree("ou-stub-00000000").length * 2);
    expect(lastJob(done)?.progress).toMatchObject({
      calls: 1 + w.org.calls.children,
      members: w.org.under("ou-stub-00000000").length,
    });
  });

  it("one member's failure never stops the others: refused is listed, unavailable is tried again", async () => {
    const w = await world();
    const [refused, flaky, down] = w.org.members.map((m) => m.accountId);
    w.roles.set(refused as string, "missing");
    w.roles.set(flaky as string, "unavailable-once");
    w.roles.set(down as string, "unavailable");
    await w.connect();
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job.status).toBe("SUCCEEDED");
    expect(job.progress).toMatchObject({ registered: 10, failed: 1, pending: 1 });
    expect(job.failures).toEqual([
      { accountId: refused, code: "ACCESS_DENIED", message: "AssumeRole was denied" },
    ]);
    expect(w.registered().has(flaky as string)).toBe(true); // registered on its second try
    expect(w.registered().has(down as string)).toBe(false);
    // Failed attempts are in the job's record, not one audit record per member per sync.
    expect(w.auditStore.records.filter((r) => r.outcome === "FAILED")).toEqual([]);
  });

  it("runs across invocations from its saved state, to the same end as in one", async () => {
    const many = await world({ accounts: 200, ous: 20, checkpointMs: 5_000 });
    await many.connect(["r-stub"]);
    const chained = await many.drain(40_000); // 10 s of work an invocation
    const one = await world({ accounts: 200, ous: 20 });
    await one.connect(["r-stub"]);
    const single = await one.drain();

    expect(
      outcomes(chained)
        .slice(0, -1)
        .every((o) => o === "CONTINUED"),
    ).toBe(true);
    expect(chained.length).toBeGreaterThan(3);
    expect(outcomes(single)).toEqual(["SUCCEEDED"]);
    const a = lastJob(chained) as OrganizationJob;
    const b = lastJob(single) as OrganizationJob;
    expect(a.invocations).toBe(chained.length);
    expect(a.progress).toEqual(b.progress);
    expect(ids(many.registered().keys())).toEqual(ids(one.registered().keys()));
    // Paced at one call a second: no call throttled, every page once.
    expect(a.progress.throttled).toBe(0);
    expect(a.progress.calls).toBe(many.org.calls.accounts + many.org.calls.children);
    expect(many.jobs.stateWrites).toBeGreaterThan(chained.length);
  });

  it("registrations spread over many invocations: each change announced once, each counted once", async () => {
    const clock = new ManualClock(new Date("2026-12-03T10:00:00.000Z"));
    const org = smallOrg(clock, { accounts: 60 });
    // 1 s a verification, 4 at a time (each advances the clock); 59 ACTIVE (every 50th SUSPENDED).
    const w = await organizationJobWorld({ org, clock, verifyMs: 1_000 });
    await w.connect();
    const done = await w.drain(35_000); // 5 s of work an invocation
    expect(done.length).toBeGreaterThan(3);
    const job = lastJob(done) as OrganizationJob;
    expect(job.progress).toMatchObject({ registered: 59, alreadyRegistered: 0, toRegister: 59 });
    expect(w.events).toHaveLength(59);
    expect(new Set(w.events.map((e) => e.accountId)).size).toBe(59);
  });

  it("a link delivered twice runs once", async () => {
    const w = await world({ accounts: 200, ous: 20 });
    await w.connect(["r-stub"]);
    const first = await w.jobRunner.runLink(w.links.links.shift() as never, {
      id: "first",
      remainingMs: 40_000,
      launcher: w.links,
    });
    expect(first.outcome).toBe("CONTINUED");
    const next = w.links.links[0];
    w.links.links.push({ ...(next as object) } as never);
    const [a, b] = [
      await w.jobRunner.runLink(w.links.links.shift() as never, {
        id: "second",
        remainingMs: 40_000,
        launcher: new QueuedLinks(),
      }),
      await w.jobRunner.runLink(w.links.links.shift() as never, {
        id: "again",
        remainingMs: 40_000,
        launcher: w.links,
      }),
    ];
    expect(a.outcome).toBe("CONTINUED");
    expect(b).toMatchObject({ outcome: "SKIPPED" });
  });

  it("a lost chain is resumed by the schedule once its lease expires, from the last save", async () => {
    const w = await world({ accounts: 200, ous: 20 });
    await w.connect(["r-stub"]);
    await w.jobRunner.runLink(w.links.links.shift() as never, {
      id: "first",
      remainingMs: 40_000,
      launcher: w.links,
    });
    w.links.links.splice(0); // the next link is lost
    const deadlineMs = Number.MAX_SAFE_INTEGER;
    expect(await w.schedule.schedule({ id: "s1", deadlineMs, launcher: w.links })).toMatchObject({
      organizations: 1,
      running: 1,
      resumed: 0,
    });
    w.clock.advance(41_000 + 60_000); // past the lease (the invocation's time and a minute)
    expect(await w.schedule.schedule({ id: "s2", deadlineMs, launcher: w.links })).toMatchObject({
      resumed: 1,
    });
    expect(w.links.links).toEqual([
      { tenantId: w.tenantId, jobId: expect.any(String), chain: `s2/${w.tenantId}` },
    ]);
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job.status).toBe("SUCCEEDED");
    expect(w.registered().size).toBe(w.org.members.filter((m) => m.state === "ACTIVE").length);
  });

  it("a second sync with no changes writes nothing: no account, no audit record, no event", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    const before = {
      accounts: w.writes.accounts.n,
      audit: w.writes.audit.n,
      organizations: w.writes.organizations.n,
      events: w.events.length,
    };
    await w.startSync();
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job).toMatchObject({
      kind: "SYNC",
      status: "SUCCEEDED",
      progress: { registered: 0, alreadyRegistered: 12, detached: 0 },
    });
    expect({
      accounts: w.writes.accounts.n,
      audit: w.writes.audit.n,
      organizations: w.writes.organizations.n,
      events: w.events.length,
    }).toEqual(before);
    // GET .../organizations: the last sync's counts.
    expect((await w.records.withJob(w.tenantId)).job).toMatchObject({ jobId: job.jobId });
  });

  it("the organization changed: a new member registered, leavers and suspended ones detached", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    const [leaver, suspended] = w.org.members.map((m) => m.accountId) as [string, string];
    w.org.members.splice(0, 1); // left the organization
    (w.org.members[0] as { state: string }).state = "SUSPENDED";
    w.org.members.push({ accountId: "300000000999", state: "ACTIVE" });
    w.events.splice(0);
    await w.startSync();
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job.progress).toMatchObject({ registered: 1, detached: 2, skipped: 1 });
    expect(w.registered().get(leaver)).toMatchObject({
      status: "DETACHED",
      detached: { reason: "LEFT_ORGANIZATION" },
    });
    expect(w.registered().get(suspended)?.detached?.reason).toBe("SUSPENDED");
    expect(w.events.map((e) => [e.accountId, e.change, e.reason ?? null]).sort()).toEqual(
      [
        [leaver, "DETACHED", "LEFT_ORGANIZATION"],
        [suspended, "DETACHED", "SUSPENDED"],
        ["300000000999", "REGISTERED", null],
      ].sort(),
    );
  });

  it("what the tenant must fix stops the job FAILED; the next period's sync tries again", async () => {
    const w = await world();
    await w.connect(["ou-stub-99999999"]); // no such OU
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job).toMatchObject({ status: "FAILED", error: { code: "ACCESS_DENIED" } });
    expect(w.registered().size).toBe(0);
    const deadlineMs = Number.MAX_SAFE_INTEGER;
    expect(await w.schedule.schedule({ id: "s1", deadlineMs, launcher: w.links })).toMatchObject({
      notDue: 1,
      started: 0,
    });
    w.clock.advance(60 * 60_000);
    expect(await w.schedule.schedule({ id: "s2", deadlineMs, launcher: w.links })).toMatchObject({
      started: 1,
    });
    expect((await w.jobs.get(w.tenantId))?.kind).toBe("SYNC");
  });

  it("disconnected while the job runs: its next link stops and registers nothing", async () => {
    const w = await world({ accounts: 200, ous: 20 });
    await w.connect(["r-stub"]);
    await w.jobRunner.runLink(w.links.links.shift() as never, {
      id: "first",
      remainingMs: 40_000,
      launcher: w.links,
    });
    await w.records.disconnect(w.tenantId, false, { requestId: "r", keyId: "k", keyRole: "admin" });
    expect(outcomes(await w.drain())).toEqual(["SKIPPED"]);
    expect(w.registered().size).toBe(0);
  });

  it("the schedule starts a sync once a period, and leaves a running job alone", async () => {
    const w = await world();
    await w.connect();
    const deadlineMs = Number.MAX_SAFE_INTEGER;
    const launcher = w.links;
    // The CONNECT job's first link is queued, not run yet: the schedule leaves it its time.
    expect(await w.schedule.schedule({ id: "s0", deadlineMs, launcher })).toMatchObject({
      running: 1,
      resumed: 0,
    });
    await w.drain();
    w.clock.advance(59 * 60_000);
    expect(await w.schedule.schedule({ id: "s1", deadlineMs, launcher })).toMatchObject({
      notDue: 1,
    });
    w.clock.advance(60_000);
    expect(await w.schedule.schedule({ id: "s2", deadlineMs, launcher })).toMatchObject({
      started: 1,
    });
    expect(await w.schedule.schedule({ id: "s3", deadlineMs, launcher })).toMatchObject({
      running: 1,
      started: 0,
    });
    // Its first link lost: resumed once the grace has passed.
    w.links.links.splice(0);
    w.clock.advance(5 * 60_000 + 1);
    expect(await w.schedule.schedule({ id: "s4", deadlineMs, launcher })).toMatchObject({
      resumed: 1,
    });
    expect(outcomes(await w.drain())).toEqual(["SUCCEEDED"]);
  });
});

describe("the issue's organization: 5,000 accounts in 300 OUs, 5 levels, the API at 2 calls/s", () => {
  /** The stub organization and a world around it, the job paced at `callsPerSecond`. */
  async function big(callsPerSecond: number) {
    const { clock, org } = issueOrganization();
    const w = await organizationJobWorld({ org, clock, callsPerSecond, concurrency: 8 });
    return { ...w, org };
  }
  /** The calls a walk from the root needs: pages of 20, at least one per parent listed. */
  const pageCalls = (org: StubOrganization) => org.pageCalls(true);

  it("paced below the API's rate: every page once, none throttled, across invocations", async () => {
    const w = await big(1);
    const started = w.clock.now().getTime();
    await w.connect([w.org.root]);
    const done = await w.drain(); // invocations of 14.5 minutes
    const job = lastJob(done) as OrganizationJob;
    expect(job.status).toBe("SUCCEEDED");
    expect(job.progress).toMatchObject({
      listed: 5_000,
      members: 5_000,
      registered: 4_900, // every fiftieth is SUSPENDED: skipped
      skipped: 100,
      throttled: 0,
      calls: pageCalls(w.org),
    });
    expect(w.org.calls.throttled).toBe(0);
    // 854 calls at one a second: 853 s, in two invocations of 14.5 minutes less 30 s.
    expect((w.clock.now().getTime() - started) / 1000).toBeCloseTo(pageCalls(w.org) - 1, 0);
    expect(job.invocations).toBe(done.length);
    expect(done.length).toBe(2);
  });

  it("throttled (paced above the API's rate): every throttled call retried, no more calls than the pace allows, and a second sync writes nothing", async () => {
    const w = await big(5);
    const started = w.clock.now().getTime();
    await w.connect([w.org.root]);
    const job = lastJob(await w.drain()) as OrganizationJob;
    const seconds = (w.clock.now().getTime() - started) / 1000;
    expect(job.status).toBe("SUCCEEDED");
    expect(job.progress.registered).toBe(4_900);
    expect(job.progress.throttled).toBeGreaterThan(0);
    expect(job.progress.throttled).toBe(w.org.calls.throttled);
    expect(job.progress.calls).toBe(pageCalls(w.org) + job.progress.throttled);
    // The bound: never faster than the pace (5 a second), whatever AWS answers.
    expect(job.progress.calls).toBeLessThanOrEqual(Math.floor(seconds * 5) + 1);

    const before = [w.writes.accounts.n, w.writes.audit.n, w.events.length];
    await w.startSync();
    const again = lastJob(await w.drain()) as OrganizationJob;
    expect(again.progress).toMatchObject({ registered: 0, alreadyRegistered: 4_900, detached: 0 });
    expect([w.writes.accounts.n, w.writes.audit.n, w.events.length]).toEqual(before);
  });
});

describe("attacked: disconnects, crashes and faults in the middle of a job", () => {
  const actor = { requestId: "r", keyId: "key_admin", keyRole: "admin" } as const;

  it("disconnect with removeAccounts while the job registers: no account of the organization stays", async () => {
    const w = await world({ accounts: 40 });
    await w.connect();
    const put = w.accountStore.put.bind(w.accountStore);
    let n = 0;
    w.accountStore.put = async (...args: Parameters<typeof put>) => {
      await put(...args);
      if (++n === 4) await w.records.disconnect(w.tenantId, true, actor);
    };
    const done = await w.drain();
    expect(outcomes(done)).toEqual(["LOST"]);
    expect(w.organizationStore.connections.size).toBe(0);
    expect([...w.registered().values()].filter((a) => a.source.kind === "organization")).toEqual(
      [],
    );
    // Its writes after the disconnect were refused: nothing was announced for them either.
    expect(w.events).toEqual([]);
  });

  it("disconnect while the job detaches: no account is detached after it", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    w.org.members.splice(0, 10); // 10 members left the organization
    w.events.splice(0);
    await w.startSync();
    const put = w.accountStore.put.bind(w.accountStore);
    let n = 0;
    w.accountStore.put = async (...args: Parameters<typeof put>) => {
      await put(...args);
      w.clock.advance(10_000); // 10 s a detach: past the 30 s between saves
      if (++n === 1) await w.records.disconnect(w.tenantId, false, actor);
    };
    expect(outcomes(await w.drain())).toEqual(["LOST"]);
    expect([...w.registered().values()].filter((a) => a.status === "DETACHED")).toHaveLength(1);
    const syncs = w.auditStore.records.filter((r) => r.action === "ORGANIZATION_SYNC");
    expect(syncs).toHaveLength(1); // the connect's; none for the sync that was stopped
  });

  it("a crash between saves: the resumed job counts and announces what the lost segment did", async () => {
    const w = await world();
    await w.connect();
    w.clock.advance(1_000); // the first link runs a second after connect
    const get = w.accountStore.get.bind(w.accountStore);
    let n = 0;
    w.accountStore.get = async (tenantId: string, accountId: string) => {
      if (++n === 17) throw new ServiceUnavailableError("DynamoDB is throttling");
      return get(tenantId, accountId);
    };
    await expect(w.drain()).rejects.toBeInstanceOf(ServiceUnavailableError);
    const before = w.registered().size;
    expect(before).toBeGreaterThan(0);
    w.links.links.splice(0); // the link failed: no next link
    w.clock.advance(14.5 * 60_000 + 61_000); // its lease expires
    await w.schedule.schedule({ id: "s", deadlineMs: Number.MAX_SAFE_INTEGER, launcher: w.links });
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job.status).toBe("SUCCEEDED");
    expect(job.progress).toMatchObject({ registered: 12, alreadyRegistered: 0, toRegister: 12 });
    expect(ids(w.events.map((e) => e.accountId))).toEqual(ids(w.registered().keys()));
    expect(w.events).toHaveLength(12);
  });

  it("a failed announcement is announced again: events at least once", async () => {
    const w = await world();
    let failures = 1;
    const publish = w.jobRunner as unknown as {
      deps: { publish: (c: unknown[]) => Promise<void> };
    };
    const real = publish.deps.publish;
    publish.deps.publish = async (changes) => {
      if (failures-- > 0) throw new ServiceUnavailableError("EventBridge is unavailable");
      return real(changes);
    };
    await w.connect();
    await expect(w.drain()).rejects.toBeInstanceOf(ServiceUnavailableError);
    w.links.links.splice(0);
    w.clock.advance(14.5 * 60_000 + 61_000);
    await w.schedule.schedule({ id: "s", deadlineMs: Number.MAX_SAFE_INTEGER, launcher: w.links });
    expect(outcomes(await w.drain())).toEqual(["SUCCEEDED"]);
    expect(ids(new Set(w.events.map((e) => e.accountId)))).toEqual(ids(w.registered().keys()));
  });

  it("a job whose saved state is lost starts over instead of finishing an empty plan", async () => {
    const w = await world({ accounts: 200, ous: 20 });
    await w.connect(["r-stub"]);
    await w.jobRunner.runLink(w.links.links.shift() as never, {
      id: "first",
      remainingMs: 40_000,
      launcher: w.links,
    });
    w.jobs.states.clear(); // the chunks expired
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job.status).toBe("SUCCEEDED");
    expect(w.registered().size).toBe(w.org.members.filter((m) => m.state === "ACTIVE").length);
    expect(job.progress.calls).toBeGreaterThan(0);
  });

  it("no job starts for a connection being disconnected, or gone", async () => {
    const w = await world();
    await w.connect();
    await w.drain();
    const connection = w.organizationStore.connections.get(w.tenantId);
    w.organizationStore.connections.set(w.tenantId, {
      ...(connection as NonNullable<typeof connection>),
      disconnecting: "2026-12-03T10:00:00.000Z",
    });
    w.clock.advance(61 * 60_000);
    const deadlineMs = Number.MAX_SAFE_INTEGER;
    expect(await w.schedule.schedule({ id: "s", deadlineMs, launcher: w.links })).toMatchObject({
      started: 0,
    });
    expect(await w.startSync()).toBeUndefined(); // refused by the store as well
    const latest = (await w.jobs.get(w.tenantId)) as OrganizationJob;
    w.organizationStore.connections.delete(w.tenantId);
    expect(await w.jobs.start({ ...latest, jobId: "job_after" }, latest.jobId)).toBe(false);
  });

  it("Organizations unavailable for a moment: the walk waits and retries, the job goes on", async () => {
    const clock = new ManualClock(new Date("2026-12-03T10:00:00.000Z"));
    const org = smallOrg(clock);
    let faults = 3;
    const pages = {
      accountsPage: async (c: never, token?: string) => {
        if (faults-- > 0) throw new ServiceUnavailableError("Organizations answered 503");
        return org.accountsPage(c, token);
      },
      childrenPage: org.childrenPage.bind(org),
    };
    const w = await organizationJobWorld({ org: pages, clock });
    await w.connect();
    const job = lastJob(await w.drain()) as OrganizationJob;
    expect(job).toMatchObject({ status: "SUCCEEDED", progress: { calls: 4, throttled: 0 } });
    expect(w.registered().size).toBe(12);
  });
});
