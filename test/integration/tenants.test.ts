import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_ID_PATTERN } from "../../shared/domain/external-id";
import { api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";

let table: string;
let admin: string;

beforeAll(async () => {
  table = await useFreshTable("tenants");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

async function createTenant(name = "Acme") {
  const res = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } });
  expect(res.status).toBe(201);
  return res.body;
}

describe("tenants against the emulator", () => {
  it("creates a tenant with a generated external ID and reads it back", async () => {
    const created = await createTenant("Acme Corp");
    expect(created.tenantId).toMatch(/^tnt_[0-9a-z]{26}$/);
    expect(created.externalId).toMatch(EXTERNAL_ID_PATTERN);
    expect(created.externalId.length).toBeGreaterThanOrEqual(32);
    expect(created.externalIds).toEqual([
      { externalId: created.externalId, status: "CURRENT", validFrom: created.createdAt },
    ]);

    const read = await api({ method: "GET", path: `/v1/tenants/${created.tenantId}`, key: admin });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
  });

  it("gives every tenant a different external ID", async () => {
    const tenants = await Promise.all(Array.from({ length: 10 }, (_, i) => createTenant(`T${i}`)));
    expect(new Set(tenants.map((t) => t.externalId)).size).toBe(10);
  });

  it("lists tenants page by page with nextToken", async () => {
    for (let i = 0; i < 3; i++) await createTenant(`Page ${i}`);
    const seen = new Set<string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const res = await api({
        method: "GET",
        path: "/v1/tenants",
        key: admin,
        query: { limit: "2", ...(nextToken ? { nextToken } : {}) },
      });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const t of res.body.items) seen.add(t.tenantId);
      nextToken = res.body.nextToken;
      pages++;
    } while (nextToken !== undefined && pages < 50);
    const all = await api({
      method: "GET",
      path: "/v1/tenants",
      key: admin,
      query: { limit: "100" },
    });
    expect(seen).toEqual(new Set(all.body.items.map((t: { tenantId: string }) => t.tenantId)));
    expect(pages).toBeGreaterThan(1);
  });

  it("rotates the external ID and keeps the previous one valid for the overlap window", async () => {
    const tenant = await createTenant();
    const res = await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/external-id/rotate`,
      key: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.externalId).not.toBe(tenant.externalId);
    expect(res.body.externalIds).toHaveLength(2);
    const [current, previous] = res.body.externalIds;
    expect(current).toMatchObject({ externalId: res.body.externalId, status: "CURRENT" });
    expect(previous).toMatchObject({ externalId: tenant.externalId, status: "PREVIOUS" });
    // Default overlap: 7 days from the rotation.
    const overlapMs = Date.parse(previous.validUntil) - Date.parse(current.validFrom);
    expect(overlapMs).toBe(7 * 24 * 3600 * 1000);

    const again = await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/external-id/rotate`,
      key: admin,
    });
    expect(again.body.externalIds.map((v: { externalId: string }) => v.externalId)).toEqual([
      again.body.externalId,
      res.body.externalId,
    ]);
  });

  it("keeps one current external ID under concurrent rotations", async () => {
    const tenant = await createTenant();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api({
          method: "POST",
          path: `/v1/tenants/${tenant.tenantId}/external-id/rotate`,
          key: admin,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    // 409 for rotations that kept losing the race; 503 if the emulator itself faults under load.
    // Never a 500.
    for (const r of results) expect([200, 409, 503], JSON.stringify(r.body)).toContain(r.status);
    const final = await api({ method: "GET", path: `/v1/tenants/${tenant.tenantId}`, key: admin });
    // Every successful rotation issued a distinct ID; the stored one is one of them.
    const issued = ok.map((r) => r.body.externalId);
    expect(new Set(issued).size).toBe(issued.length);
    expect(issued).toContain(final.body.externalId);
    expect(final.body.externalIds).toHaveLength(2);
  });

  it("deletes a tenant with its keys and reservations, and a second delete is 404", async () => {
    const before = await snapshot(table);
    const tenant = await createTenant("Doomed");
    await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/external-id/rotate`,
      key: admin,
    });
    const tenantKey = await seedKey(table, { role: "tenant", tenantId: tenant.tenantId });

    const del = await api({ method: "DELETE", path: `/v1/tenants/${tenant.tenantId}`, key: admin });
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();

    const after = await snapshot(table);
    // Only the audit trails remain: the tenant's (its rotation) and the platform's.
    const left = after.filter(
      (item) => !before.includes(item) && !item.includes('"PK":{"S":"AUDIT'),
    );
    expect(left, left.join("\n")).toEqual([]);
    const platform = await api({ method: "GET", path: "/v1/audit", key: admin });
    const mine = platform.body.items.filter(
      (r: { tenantId?: string }) => r.tenantId === tenant.tenantId,
    );
    expect(mine.map((r: { action: string }) => r.action)).toEqual([
      "TENANT_DELETE",
      "API_KEY_CREATE",
      "TENANT_CREATE",
    ]);
    expect(mine[0]).toMatchObject({ keyRole: "admin", outcome: "SUCCEEDED" });
    expect(
      (await api({ method: "GET", path: `/v1/tenants/${tenant.tenantId}`, key: admin })).status,
    ).toBe(404);
    expect(
      (await api({ method: "DELETE", path: `/v1/tenants/${tenant.tenantId}`, key: admin })).status,
    ).toBe(404);
    const withKey = await api({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}`,
      key: tenantKey.secret,
    });
    expect(withKey.status).toBe(401);
  });
});
