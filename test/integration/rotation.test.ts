import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthSweep } from "../../shared/wiring/health";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { seedKey, useFreshTable } from "../support/table";
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
  const table = await useFreshTable("rotation");
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
