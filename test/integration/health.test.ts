import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoRateBudgetStore } from "../../shared/adapters/dynamo-rate-budget-store";
import { realSleep, systemClock } from "../../shared/adapters/system";
import type { SweepContinuation, SweepLink } from "../../shared/ports/health";
import { HealthSweepChain } from "../../shared/services/health-sweep";
import { RateBudget } from "../../shared/services/rate-budget";
import { documentClient } from "../../shared/wiring/common";
import {
  healthStore,
  healthSweep,
  healthSweepChainWith,
  healthSweepWith,
} from "../../shared/wiring/health";
import { LOCAL_REGION } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService, otherTenantKey } from "../support/brokering";
import { captureEvents } from "../support/events";
import { ManualClock } from "../support/fakes";
import { asFunction } from "../support/function-iam";
import { seedKey, useFreshTable } from "../support/table";
import { createRole, deleteRole, tenantAdmin, trustPolicy } from "../support/tenant-account";

/**
 * The health sweep on the emulator: real roles in tenant accounts, changed the way tenants change
 * them, and the events it emits, caught by an EventBridge rule that targets an SQS queue.
 */
let admin: string;
let tenantId: string;
let externalId: string;
const A = "910000000001";
const B = "910000000002";
const C = "910000000003";

let captured: Awaited<ReturnType<typeof captureEvents>>;

async function events() {
  return (await captured.drain()).map((d) => ({
    accountId: d.accountId as string,
    from: d.from as string | null,
    to: d.to as string,
    reason: d.reason as string,
  }));
}

async function sweep() {
  return asFunction("healthSweep", () =>
    healthSweep().run({ deadlineMs: Number.MAX_SAFE_INTEGER }),
  );
}

/** A continuation that queues the next link (run by the test, as Lambda would). */
const queue = (queued: SweepLink[]): SweepContinuation => ({
  continueWith: async (next) => void queued.push(next),
});

async function health(accountId: string) {
  const res = await api({
    method: "GET",
    path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
    key: admin,
  });
  return res.body.health;
}

beforeAll(async () => {
  const table = await useFreshTable("health");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({
    method: "POST",
    path: "/v1/tenants",
    key: admin,
    body: { name: "Watched" },
  });
  tenantId = t.body.tenantId;
  externalId = t.body.externalId;
  for (const id of [A, B, C]) {
    const roleArn = await createRole(id, "Access", trustPolicy(externalId));
    expect(
      (
        await api({
          method: "POST",
          path: `/v1/tenants/${tenantId}/accounts`,
          key: admin,
          body: { accountId: id, roleArn },
        })
      ).status,
    ).toBe(201);
  }
  captured = await captureEvents("Account Health Changed", tenantId);
});

describe("health sweep on the emulator", () => {
  it("first sweep: every account HEALTHY, one event each", async () => {
    const result = await sweep();
    expect(result.checked).toBeGreaterThanOrEqual(3);
    for (const id of [A, B, C])
      expect(await health(id)).toMatchObject({ state: "HEALTHY", consecutiveFailures: 0 });
    const got = await events();
    expect(got.map((e) => `${e.accountId}:${e.from}->${e.to}`).sort()).toEqual([
      `${A}:null->HEALTHY`,
      `${B}:null->HEALTHY`,
      `${C}:null->HEALTHY`,
    ]);
  });

  it("a deleted role → UNHEALTHY ACCESS_DENIED (as AWS refuses it); a trust policy without the external ID → UNHEALTHY, found by the negative probe; one event each", async () => {
    await deleteRole(A, "Access");
    const { Statement } = trustPolicy(externalId);
    const { Condition: _c, ...withoutCondition } = Statement[0] as Record<string, unknown>;
    const iam = new IAMClient({
      endpoint: process.env.AWS_ENDPOINT_URL,
      region: LOCAL_REGION,
      credentials: await tenantAdmin(B),
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "Access",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [withoutCondition] }),
      }),
    );

    await sweep();
    expect(await health(A)).toMatchObject({ state: "UNHEALTHY", lastErrorCode: "ACCESS_DENIED" });
    // The emulator let the probe in without the external ID: IAM's answer, not only the lint's.
    expect(await health(B)).toMatchObject({
      state: "UNHEALTHY",
      lastErrorCode: "EXTERNAL_ID_NOT_REQUIRED",
      lastErrorMessage: expect.stringContaining("AWS let the control plane assume the role"),
    });
    expect(await health(C)).toMatchObject({ state: "HEALTHY" });
    expect((await events()).map((e) => `${e.accountId}:${e.to}:${e.reason}`).sort()).toEqual([
      `${A}:UNHEALTHY:ACCESS_DENIED`,
      `${B}:UNHEALTHY:EXTERNAL_ID_NOT_REQUIRED`,
    ]);

    // Nothing changed: no event.
    await sweep();
    expect(await events()).toEqual([]);
  });

  it("the broker refuses an UNHEALTHY account", async () => {
    const key = await grantedService(admin, tenantId, "watcher", "health-read");
    const res = await api({
      method: "POST",
      path: "/v1/sessions",
      key,
      body: { tenantId, accountId: B },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ACCOUNT_UNAVAILABLE");
    expect(
      (await api({ method: "POST", path: "/v1/sessions", key, body: { tenantId, accountId: C } }))
        .status,
    ).toBe(201);
  });

  it("restored roles → HEALTHY again, one event each", async () => {
    await createRole(A, "Access", trustPolicy(externalId));
    const iam = new IAMClient({
      endpoint: process.env.AWS_ENDPOINT_URL,
      region: LOCAL_REGION,
      credentials: await tenantAdmin(B),
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "Access",
        PolicyDocument: JSON.stringify(trustPolicy(externalId)),
      }),
    );
    await sweep();
    expect(await health(A)).toMatchObject({ state: "HEALTHY" });
    expect(await health(B)).toMatchObject({ state: "HEALTHY" });
    expect((await events()).map((e) => `${e.accountId}:${e.from}->${e.to}`).sort()).toEqual([
      `${A}:UNHEALTHY->HEALTHY`,
      `${B}:UNHEALTHY->HEALTHY`,
    ]);
  });

  it("GET .../health shows the state and the recent checks, newest first; a tenant sees only its own", async () => {
    const res = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/${A}/health`,
      key: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId, accountId: A, health: { state: "HEALTHY" } });
    expect(res.body.history.map((h: { state: string }) => h.state).slice(0, 2)).toEqual([
      "HEALTHY",
      "UNHEALTHY",
    ]);
    expect(res.body.history[1].code).toBe("ACCESS_DENIED");
    const nosy = await otherTenantKey(admin);
    expect(
      (
        await api({
          method: "GET",
          path: `/v1/tenants/${tenantId}/accounts/${A}/health`,
          key: nosy,
        })
      ).status,
    ).toBe(404);
  });

  it("the scheduled function starts the period's sweep: its workers check every account once, and the summary shows it", async () => {
    const { handler } = await import("../../functions/health/healthSweep");
    // The schedule's invocation starts the run and invokes one link per worker (here, queued).
    const queued: SweepLink[] = [];
    // A period of its own, an hour ahead: the checks of the tests above are in the current one.
    const chain = healthSweepChainWith(new ManualClock(new Date(Date.now() + 3_600_000)));
    const started = await asFunction("healthSweep", () =>
      chain.runLink({}, { id: "sched-1", remainingMs: 600_000, continuation: queue(queued) }),
    );
    expect(started).toMatchObject({ outcome: "STARTED", workers: 4 });
    expect(queued.map((l) => l.worker)).toEqual([0, 1, 2, 3]);
    const outcomes = [];
    while (queued.length > 0) {
      const link = queued.shift() as SweepLink;
      outcomes.push(
        await asFunction("healthSweep", () =>
          chain.runLink(link, {
            id: `link-${link.worker}`,
            remainingMs: 600_000,
            continuation: queue(queued),
          }),
        ),
      );
    }
    expect(outcomes.at(-1)).toMatchObject({ outcome: "FINISHED" });
    const res = await api({ method: "GET", path: "/v1/health-summary", key: admin });
    expect(res.status).toBe(200);
    expect(res.body.states).toEqual({ HEALTHY: 3, DEGRADED: 0, UNHEALTHY: 0 });
    expect(res.body.checked).toBe(3);
    expect(res.body.lastSweep.durationMs).toBeGreaterThanOrEqual(0);
    // The deployed schedule now finds that sweep current and finished: nothing to do.
    expect(
      await asFunction("healthSweep", () =>
        handler(
          {} as never,
          {
            awsRequestId: "sched-2",
            getRemainingTimeInMillis: () => 600_000,
            invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:sweep",
          } as never,
        ),
      ),
    ).toBeUndefined();
    expect((await api({ method: "GET", path: "/v1/health-summary", key: admin })).body).toEqual(
      res.body,
    );
  });

  it("on the table: a crashed worker's lease expires, the schedule resumes it from its position, and no account is checked twice in the period", async () => {
    const store = healthStore();
    const clock = new ManualClock(new Date(Date.now() + 7_200_000));
    const sweep = healthSweepWith(clock);
    const accountsSeen: string[] = [];
    const chain = new HealthSweepChain({
      sweep: {
        // The real sweep (its clock the test's), each link to the end of its shards.
        run: async (options) => {
          const r = await sweep.run({ ...options, deadlineMs: Number.MAX_SAFE_INTEGER });
          return r;
        },
      },
      records: store,
      clock,
      plan: { periodMinutes: 15, workers: 2, assumeRolePerSecond: 50, budgetShards: 2 },
      shards: 16,
      callsPerCheck: 2,
      budget: (worker, _workers) =>
        new RateBudget({
          store: new DynamoRateBudgetStore(documentClient(), process.env.TABLE_NAME as string),
          clock: systemClock,
          sleep: realSleep,
          ratePerSecond: 50,
          budgetShards: 2,
          batch: 3,
          keys: [worker],
        }),
    });
    const queued: SweepLink[] = [];
    const run = (link: SweepLink, id: string) =>
      asFunction("healthSweep", () =>
        chain.runLink(link, { id, remainingMs: 120_000, continuation: queue(queued) }),
      );
    expect(await run({}, "sched-a")).toMatchObject({ outcome: "STARTED", workers: 2 });
    const [w0, w1] = queued.splice(0) as [SweepLink, SweepLink];
    // Worker 1's link takes its lease and dies before it checks anything.
    const runId = w1.runId as string;
    expect(
      await store.acquireWorker(
        runId,
        1,
        "dead",
        undefined,
        clock.now().getTime(),
        clock.now().getTime() + 60_000,
      ),
    ).toBeDefined();
    expect(await run(w1, "w1-late")).toMatchObject({ outcome: "SKIPPED" });
    expect(await run(w0, "w0")).toMatchObject({ outcome: "WORKER_DONE" });
    expect(await run({}, "sched-b")).toMatchObject({ outcome: "RESUMED", resumed: [] });
    clock.advance(61_000);
    expect(await run({}, "sched-c")).toMatchObject({ outcome: "RESUMED", resumed: [1] });
    const resumed = queued.shift() as SweepLink;
    expect(await run(resumed, "w1-resumed")).toMatchObject({ outcome: "FINISHED" });
    const summary = await store.summary();
    expect(summary?.checked).toBe(3);
    // Each account's history has exactly one check in this period.
    for (const id of [A, B, C]) {
      const history = await store.history(tenantId, id, 50);
      accountsSeen.push(...history.filter((h) => h.at >= runId).map(() => id));
    }
    expect(accountsSeen.sort()).toEqual([A, B, C].sort());
    // A worker of a finished run is not taken again; the next period starts a new run.
    expect(
      await store.acquireWorker(runId, 0, "again", undefined, clock.now().getTime(), 0),
    ).toBeUndefined();
    clock.advance(15 * 60_000);
    expect(await run({}, "sched-d")).toMatchObject({ outcome: "STARTED" });
    // The next run's worker 0 with a link that hands on: its continuation, delivered twice by
    // Lambda, runs once (the lease's sequence moved on), on the table's own conditions.
    const [d0] = queued.splice(0) as [SweepLink];
    let calls = 0;
    const scripted = new HealthSweepChain({
      sweep: {
        run: async () => ({
          checked: 0,
          changed: 0,
          skipped: 0,
          states: { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 },
          ...(calls++ === 0 ? { cursor: "next-page" } : {}),
        }),
      },
      records: store,
      clock,
      plan: { periodMinutes: 15, workers: 2, assumeRolePerSecond: 50, budgetShards: 2 },
      shards: 16,
      callsPerCheck: 2,
      budget: () => ({ acquire: async () => {} }),
    });
    const link = (l: SweepLink, id: string) =>
      asFunction("healthSweep", () =>
        scripted.runLink(l, { id, remainingMs: 120_000, continuation: queue(queued) }),
      );
    expect(await link(d0, "d0")).toMatchObject({ outcome: "CONTINUED" });
    const again = queued.shift() as SweepLink;
    expect(again.seq).toBe(1);
    expect((await store.workers(again.runId as string))[0]).toMatchObject({
      cursor: "next-page",
      seq: 1,
    });
    expect(await link(again, "d0-next")).toMatchObject({ outcome: "WORKER_DONE" });
    expect(await link(again, "d0-next-again")).toMatchObject({ outcome: "SKIPPED" });
    expect(calls).toBe(2);
  });

  it("the budget's time slots on the table: a key grants up to its share of a second, then nothing", async () => {
    const budget = new DynamoRateBudgetStore(documentClient(), process.env.TABLE_NAME as string);
    const second = Math.floor(Date.now() / 1000) + 7_200;
    expect(await budget.claim(second, 0, 10, 25)).toBe(10);
    expect(await budget.claim(second, 0, 10, 25)).toBe(10);
    expect(await budget.claim(second, 0, 10, 25)).toBe(5);
    expect(await budget.claim(second, 0, 10, 25)).toBe(0);
    // Another key, another second: their own shares.
    expect(await budget.claim(second, 1, 10, 25)).toBe(10);
    expect(await budget.claim(second + 1, 0, 10, 25)).toBe(10);
  });
});
