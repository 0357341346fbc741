import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthSweep } from "../../shared/wiring/health";
import { dynamoClient } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { endpoint, seedKey, useFreshTable } from "../support/table";
import {
  CONTROL_PLANE_PATTERN,
  deployTenantStack,
  updateTenantStack,
} from "../support/tenant-account";

/**
 * External-ID rotation end to end on the emulator, which refuses an external ID a role's trust
 * policy does not hold, as IAM does: two tenant roles deployed from infra/tenant-role.yaml with
 * the tenant's first ID; a rotation; sessions keep working through the overlap with the previous
 * ID; one stack is updated with the new ID; when the overlap ends, the role still on the previous
 * ID is refused and reported. The overlap is shortened to a few seconds for the test.
 */
const OVERLAP_SECONDS = 4;
const UPDATED = "930000000001";
const LAGGING = "930000000002";
const overlapBefore = process.env.EXTERNAL_ID_OVERLAP_SECONDS;
process.env.EXTERNAL_ID_OVERLAP_SECONDS = String(OVERLAP_SECONDS);

let table: string;
let admin: string;
let tenantKey: string;
let serviceKey: string;
let tenantId: string;
let firstId: string;
let secondId: string;
let overlapEndsAt: number;

const session = (accountId: string, durationSeconds?: number) =>
  api({
    method: "POST",
    path: "/v1/sessions",
    key: serviceKey,
    body: { tenantId, accountId, ...(durationSeconds ? { durationSeconds } : {}) },
  });
const account = async (accountId: string) =>
  (await api({ method: "GET", path: `/v1/tenants/${tenantId}/accounts/${accountId}`, key: admin }))
    .body;
const needingNewId = async () =>
  (
    await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts`,
      key: tenantKey,
      query: { externalIdStatus: "PREVIOUS" },
    })
  ).body.items.map((a: { accountId: string }) => a.accountId);
const sweep = () => healthSweep().run({ deadlineMs: Number.MAX_SAFE_INTEGER });

beforeAll(async () => {
  table = await useFreshTable("rotation");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Rotor" } });
  tenantId = t.body.tenantId;
  firstId = t.body.externalId;
  tenantKey = (await seedKey(table, { role: "tenant", tenantId })).secret;
  for (const accountId of [UPDATED, LAGGING]) {
    const { roleArn } = await deployTenantStack(accountId, "ControlPlaneAccess", {
      ExternalId: firstId,
      ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
    });
    const res = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/accounts`,
      key: admin,
      body: { accountId, roleArn },
    });
    expect(res.status).toBe(201);
    expect(res.body.externalIdStatus).toBe("CURRENT");
  }
  serviceKey = await grantedService(admin, tenantId, "rotor-svc");
}, 60_000);

afterAll(() => {
  if (overlapBefore === undefined) delete process.env.EXTERNAL_ID_OVERLAP_SECONDS;
  else process.env.EXTERNAL_ID_OVERLAP_SECONDS = overlapBefore;
});

describe("external-ID rotation on the emulator", () => {
  it("after a rotation, sessions still work with the previous ID, and the accounts say so", async () => {
    const rotated = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/external-id/rotate`,
      key: admin,
    });
    expect(rotated.status).toBe(200);
    secondId = rotated.body.externalId;
    overlapEndsAt = Date.now() + OVERLAP_SECONDS * 1000;
    expect(secondId).not.toBe(firstId);

    for (const accountId of [UPDATED, LAGGING]) expect((await session(accountId)).status).toBe(201);
    expect((await account(UPDATED)).externalIdStatus).toBe("PREVIOUS");
    expect((await needingNewId()).sort()).toEqual([UPDATED, LAGGING]);

    await sweep();
    for (const accountId of [UPDATED, LAGGING]) {
      expect((await account(accountId)).health).toMatchObject({
        state: "DEGRADED",
        lastErrorCode: "EXTERNAL_ID_PREVIOUS",
      });
    }
  });

  it("a stack updated with the new ID is found with it at the next session, and is healthy again", async () => {
    await updateTenantStack(UPDATED, "ControlPlaneAccess", {
      ExternalId: secondId,
      ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
    });
    // The role now refuses the previous ID: the broker presents it first, is refused, and
    // presents the current one. (Another duration: the earlier session would come from the
    // cache, and is still valid.)
    const res = await session(UPDATED, 1800);
    expect(res.status).toBe(201);
    expect((await account(UPDATED)).externalIdStatus).toBe("CURRENT");
    expect(await needingNewId()).toEqual([LAGGING]);

    await sweep();
    expect((await account(UPDATED)).health).toMatchObject({ state: "HEALTHY" });
    expect((await account(LAGGING)).health).toMatchObject({ state: "DEGRADED" });
  });

  it("when the overlap ends, the role still on the previous ID is refused and UNHEALTHY", async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, overlapEndsAt - Date.now()) + 100));
    await sweep();
    expect(await account(LAGGING)).toMatchObject({
      externalIdStatus: "EXPIRED",
      health: { state: "UNHEALTHY", lastErrorCode: "EXTERNAL_ID_EXPIRED" },
    });
    const refused = await session(LAGGING);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("ACCOUNT_UNAVAILABLE");
    expect((await session(UPDATED)).status).toBe(201);
    expect((await account(UPDATED)).health).toMatchObject({ state: "HEALTHY" });
  });
});

/**
 * Issue 26, point 6: each rotation drops the ID before the previous one, so a second rotation
 * (a double click, a script run twice) cut off every account whose stack still carried the first
 * ID. A rotation now waits until every account has been seen accepting the current ID; `force`
 * overrides it, on the record. (The overlap here is the file's few seconds: these tests read the
 * stored tenant, not what is still valid, so they do not race it.)
 */
describe("a second rotation does not strand accounts", () => {
  const FIRST = "930000000011";
  const SECOND = "930000000012";
  let burstTenant: string;
  let originalId: string;

  const rotate = (body?: unknown, headers?: Record<string, string>) =>
    api({
      method: "POST",
      path: `/v1/tenants/${burstTenant}/external-id/rotate`,
      key: admin,
      ...(body === undefined ? {} : { body }),
      ...(headers ? { headers } : {}),
    });
  const stored = async () => {
    const out = await dynamoClient(endpoint()).send(
      new GetItemCommand({
        TableName: table,
        Key: { PK: { S: `TENANT#${burstTenant}` }, SK: { S: "TENANT" } },
        ConsistentRead: true,
      }),
    );
    const ids = out.Item?.externalId?.M;
    return { current: ids?.current?.S, previous: ids?.previous?.S };
  };
  const accountOf = async (accountId: string) =>
    (
      await api({
        method: "GET",
        path: `/v1/tenants/${burstTenant}/accounts/${accountId}`,
        key: admin,
      })
    ).body;
  const rotations = async () =>
    (
      await api({ method: "GET", path: `/v1/tenants/${burstTenant}/audit`, key: admin })
    ).body.items.filter((r: { action?: string }) => r.action === "EXTERNAL_ID_ROTATE");

  beforeAll(async () => {
    const t = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Burst" },
    });
    burstTenant = t.body.tenantId;
    originalId = t.body.externalId;
    for (const accountId of [FIRST, SECOND]) {
      const { roleArn } = await deployTenantStack(accountId, "BurstAccess", {
        ExternalId: originalId,
        ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
      });
      const res = await api({
        method: "POST",
        path: `/v1/tenants/${burstTenant}/accounts`,
        key: admin,
        body: { accountId, roleArn },
      });
      expect(res.status).toBe(201);
    }
  }, 60_000);

  it("24 rotations, 8 at a time: one 200, the others 409 with the code and the count; the original ID is kept", async () => {
    const limit = pLimit(8);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        limit(() =>
          api({
            method: "POST",
            path: `/v1/tenants/${burstTenant}/external-id/rotate`,
            key: admin,
            // Another Idempotency-Key each time: a script run again, not a retry.
            headers: { "Idempotency-Key": `burst-${i}` },
            remainingMs: 60_000,
          }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
      expect(r.body.error.details).toEqual({ laggingAccounts: 2, accountIds: [FIRST, SECOND] });
    }
    // The one rotation kept the original ID as the previous one: both stacks still work with it.
    expect(await stored()).toEqual({ current: ok[0]?.body.externalId, previous: originalId });
    expect(await rotations()).toHaveLength(1);
  }, 120_000);

  it("rotating again while an account has not picked up the current ID: 409, nothing changes", async () => {
    const before = await stored();
    const res = await rotate();
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
    expect(res.body.error.details.laggingAccounts).toBe(2);
    expect(res.body.error.message).toMatch(/^2 accounts have not been seen accepting/);
    // `{"force": false}` is no force; a force that is not a boolean is bad input.
    expect((await rotate({ force: false })).status).toBe(409);
    const bad = await rotate({ force: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_FIELD");
    expect(await stored()).toEqual(before);
    expect(await rotations()).toHaveLength(1);
  });

  it("force rotates anyway, and the audit record says it was forced and past how many accounts", async () => {
    const before = await stored();
    const res = await rotate({ force: true });
    expect(res.status).toBe(200);
    expect(res.body.externalId).not.toBe(before.current);
    expect(await stored()).toEqual({ current: res.body.externalId, previous: before.current });
    const [latest] = await rotations();
    expect(latest).toMatchObject({
      action: "EXTERNAL_ID_ROTATE",
      outcome: "SUCCEEDED",
      forced: true,
      laggingAccounts: 2,
    });
  });

  it("once every account is seen with the current ID (a verification, a health check), rotation is 200", async () => {
    const current = (await stored()).current as string;
    for (const accountId of [FIRST, SECOND])
      await updateTenantStack(accountId, "BurstAccess", {
        ExternalId: current,
        ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
      });
    // An updated stack is not enough: the control plane has to see the role accept the ID.
    const unseen = await rotate();
    expect(unseen.status).toBe(409);
    expect(unseen.body.error.details.laggingAccounts).toBe(2);

    const verified = await api({
      method: "POST",
      path: `/v1/tenants/${burstTenant}/accounts/${FIRST}/verify`,
      key: admin,
    });
    expect(verified.status).toBe(200);
    expect(verified.body.externalIdStatus).toBe("CURRENT");
    const one = await rotate();
    expect(one.status).toBe(409);
    expect(one.body.error.details).toEqual({ laggingAccounts: 1, accountIds: [SECOND] });

    await sweep();
    expect((await accountOf(SECOND)).externalIdStatus).toBe("CURRENT");
    const res = await rotate();
    expect(res.status).toBe(200);
    const [latest] = await rotations();
    expect(latest.forced).toBeUndefined();
  });
});
