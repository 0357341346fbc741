import { beforeAll, describe, expect, it } from "vitest";
import { type ApiRequest, api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/** The API, with the time a request waits for the emulator behind the other 49 (ApiRequest). */
const raced = (req: ApiRequest) => api({ ...req, remainingMs: 60_000 });

/**
 * Races, run concurrently against the emulator through the real handlers: whatever the
 * interleaving, the invariants hold (one record, one current external ID, no orphans, no
 * duplicates), and no request gets a 5xx.
 */
let table: string;
let admin: string;

const items = async () =>
  (await snapshot(table)).map((s) => JSON.parse(s) as Record<string, { S?: string }>);
const key = (i: Record<string, { S?: string }>) => `${i.PK?.S}|${i.SK?.S}`;

async function newTenant(name: string) {
  const res = await raced({ method: "POST", path: "/v1/tenants", key: admin, body: { name } });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; externalId: string };
}

beforeAll(async () => {
  table = await useFreshTable("races");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

describe("races", () => {
  it("50 concurrent registrations of the same account: one record, no 5xx", async () => {
    const tenant = await newTenant("Racer");
    const accountId = "960000000001";
    const roleArn = await createRole(accountId, "Access", trustPolicy(tenant.externalId));
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        raced({
          method: "POST",
          path: `/v1/tenants/${tenant.tenantId}/accounts`,
          key: admin,
          body: { accountId, roleArn },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    // Exactly one creates it; the others re-verify it (200) or lose the race cleanly (409).
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 201 || s === 200 || s === 409)).toBe(true);
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.error.code).toBe("CONCURRENT_MODIFICATION");
    const accounts = (await items()).filter(
      (i) => i.PK?.S === `TENANT#${tenant.tenantId}` && i.SK?.S === `ACCOUNT#${accountId}`,
    );
    expect(accounts).toHaveLength(1);
    const read = await raced({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}/accounts/${accountId}`,
      key: admin,
    });
    expect(read.body).toMatchObject({ status: "VERIFIED", roleArn });
  });

  it("50 concurrent external-ID rotations: one current ID, one reservation per success, no orphans", async () => {
    const tenant = await newTenant("Rotator");
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        raced({
          method: "POST",
          path: `/v1/tenants/${tenant.tenantId}/external-id/rotate`,
          key: admin,
        }),
      ),
    );
    expect(
      results
        .filter((r) => r.status !== 200 && r.status !== 409)
        .map((r) => `${r.status} ${r.body?.error?.code}`),
    ).toEqual([]);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const read = await raced({ method: "GET", path: `/v1/tenants/${tenant.tenantId}`, key: admin });
    const current: string = read.body.externalId;
    expect(current).not.toBe(tenant.externalId); // it did rotate
    // The valid IDs are the current one and at most one previous one, in its overlap.
    const valid = (read.body.externalIds as { externalId: string }[]).map((v) => v.externalId);
    expect(valid[0]).toBe(current);
    expect(valid.length).toBeLessThanOrEqual(2);
    // Reservations are kept for good (an ID is never issued twice): exactly the original plus one
    // per successful rotation, each with its pointer under the tenant. None from the rotations
    // that lost the race: their transactions left nothing behind.
    const succeeded = results.filter((r) => r.status === 200).map((r) => r.body.externalId);
    const expected = [tenant.externalId, ...succeeded].sort();
    const all = await items();
    const reserved = all
      .filter((i) => i.PK?.S?.startsWith("EXTID#") && i.tenantId?.S === tenant.tenantId)
      .map((i) => i.PK?.S?.slice("EXTID#".length));
    expect(reserved.sort()).toEqual(expected);
    expect(reserved).toContain(current);
    const pointers = all
      .filter((i) => i.PK?.S === `TENANT#${tenant.tenantId}` && i.SK?.S?.startsWith("EXTID#"))
      .map((i) => i.SK?.S?.slice("EXTID#".length));
    expect(pointers.sort()).toEqual(expected);
  });

  it("tenant deletion interleaved with registrations: nothing left under the tenant", async () => {
    const tenant = await newTenant("Doomed");
    const accounts = Array.from({ length: 20 }, (_, i) => String(961000000000 + i));
    const roles = await Promise.all(
      accounts.map((id) => createRole(id, "Access", trustPolicy(tenant.externalId))),
    );
    const registrations = accounts.map((accountId, i) =>
      raced({
        method: "POST",
        path: `/v1/tenants/${tenant.tenantId}/accounts`,
        key: admin,
        body: { accountId, roleArn: roles[i] },
      }),
    );
    const deletion = raced({
      method: "DELETE",
      path: `/v1/tenants/${tenant.tenantId}`,
      key: admin,
    });
    const done = await Promise.all([deletion, ...registrations]);
    expect(done[0]?.status).toBe(204);
    // Registrations either got in before the deletion began (and were purged with the tenant)
    // or were refused because the tenant was going: never a 5xx.
    for (const r of done.slice(1)) {
      expect([201, 404, 409]).toContain(r.status);
    }
    const left = (await items()).filter(
      (i) =>
        i.PK?.S === `TENANT#${tenant.tenantId}` ||
        i.tenantId?.S === tenant.tenantId ||
        i.ref?.S?.includes(tenant.tenantId),
    );
    // Audit records are kept on purpose (their own partition); nothing else survives.
    expect(left.filter((i) => !i.PK?.S?.startsWith("AUDIT")).map(key)).toEqual([]);
    expect(
      (await raced({ method: "GET", path: `/v1/tenants/${tenant.tenantId}`, key: admin })).status,
    ).toBe(404);
  });

  it("the same tenant created and deleted while keys are issued for it: no key outlives it", async () => {
    const tenant = await newTenant("Keyed");
    const keyRequests = Array.from({ length: 10 }, () =>
      raced({
        method: "POST",
        path: "/v1/api-keys",
        key: admin,
        body: { role: "tenant", tenantId: tenant.tenantId },
      }),
    );
    const deletion = raced({
      method: "DELETE",
      path: `/v1/tenants/${tenant.tenantId}`,
      key: admin,
    });
    const done = await Promise.all([deletion, ...keyRequests]);
    expect(done[0]?.status).toBe(204);
    for (const r of done.slice(1)) expect([201, 404, 409]).toContain(r.status);
    const keys = (await items()).filter(
      (i) => i.PK?.S?.startsWith("APIKEY#") && i.tenantId?.S === tenant.tenantId,
    );
    expect(keys).toEqual([]);
  });
});
