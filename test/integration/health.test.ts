import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION } from "../../scripts/local-stack";
import { healthStore, healthSweep } from "../../shared/wiring/health";
import { api } from "../support/api";
import { grantedService, otherTenantKey } from "../support/brokering";
import { captureEvents } from "../support/events";
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

  it("the scheduled function records a summary that GET /v1/health-summary shows", async () => {
    const { handler } = await import("../../functions/health/healthSweep");
    await asFunction("healthSweep", () =>
      handler({}, {
        awsRequestId: "sweep-1",
        getRemainingTimeInMillis: () => 600_000,
        invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:sweep",
      } as never),
    );
    const res = await api({ method: "GET", path: "/v1/health-summary", key: admin });
    expect(res.status).toBe(200);
    expect(res.body.states).toEqual({ HEALTHY: 3, DEGRADED: 0, UNHEALTHY: 0 });
    expect(res.body.checked).toBe(3);
    expect(res.body.lastSweep.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(res.body.oldestCheck)).toBeLessThanOrEqual(
      Date.parse(res.body.lastSweep.startedAt),
    );
  });

  it("one sweep at a time: a scheduled start skips its turn while another sweep holds the lease", async () => {
    const { handler } = await import("../../functions/health/healthSweep");
    const store = healthStore();
    const now = Date.now();
    expect(await store.acquireLease("running-sweep", now, now + 600_000)).toBe(true);
    const before = (await api({ method: "GET", path: "/v1/health-summary", key: admin })).body;
    await asFunction("healthSweep", () =>
      handler({}, {
        awsRequestId: "sweep-2",
        getRemainingTimeInMillis: () => 600_000,
        invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:sweep",
      } as never),
    );
    const after = (await api({ method: "GET", path: "/v1/health-summary", key: admin })).body;
    // Nothing ran: the last sweep is still the one before.
    expect(after.lastSweep).toEqual(before.lastSweep);
    // The holder renews its own lease; once released, another sweep takes it.
    expect(await store.acquireLease("running-sweep", now, now + 600_000)).toBe(true);
    expect(await store.acquireLease("sweep-3", now, now + 600_000)).toBe(false);
    await store.releaseLease("running-sweep");
    expect(await store.acquireLease("sweep-3", now, now + 600_000)).toBe(true);
    // An expired lease is taken over.
    expect(await store.acquireLease("sweep-4", now + 700_000, now + 1_300_000)).toBe(true);
    await store.releaseLease("sweep-4");
  });
});
