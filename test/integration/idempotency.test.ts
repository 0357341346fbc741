import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/**
 * Idempotency-Key on the emulator: a retried POST creates nothing twice, the same key with
 * another request is refused, and one caller's key never answers for another caller.
 */
let table: string;
let admin: string;
let otherAdmin: string;

const tenants = async () =>
  (await snapshot(table)).filter((i) => i.includes('"SK":{"S":"TENANT"}')).length;
const create = (key: string, idem: string | undefined, name = "Retried") =>
  api({
    method: "POST",
    path: "/v1/tenants",
    key,
    body: { name },
    ...(idem ? { headers: { "Idempotency-Key": idem } } : {}),
  });

beforeAll(async () => {
  table = await useFreshTable("idempotency");
  admin = (await seedKey(table, { role: "admin" })).secret;
  otherAdmin = (await seedKey(table, { role: "admin" })).secret;
});

describe("Idempotency-Key", () => {
  it("a retried POST gets the first answer again and creates nothing twice", async () => {
    const before = await tenants();
    const first = await create(admin, "retry-1");
    const again = await create(admin, "retry-1");
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await tenants()).toBe(before + 1);
  });

  it("without the header, each POST creates", async () => {
    const before = await tenants();
    await create(admin, undefined);
    await create(admin, undefined);
    expect(await tenants()).toBe(before + 2);
  });

  it("the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing created", async () => {
    await create(admin, "reused-1", "First");
    const before = await snapshot(table);
    const res = await create(admin, "reused-1", "Second");
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await snapshot(table)).toEqual(before);
  });

  it("another caller with the same key is a different request", async () => {
    const mine = await create(admin, "shared-key");
    const theirs = await create(otherAdmin, "shared-key");
    expect(theirs.status).toBe(201);
    expect(theirs.body.tenantId).not.toBe(mine.body.tenantId);
  });

  it("concurrent retries with one key: one tenant, never two", async () => {
    const before = await tenants();
    const results = await Promise.all(Array.from({ length: 10 }, () => create(admin, "burst-1")));
    // Each retry gets the first answer, or is told the first is still running (409).
    for (const r of results) expect([201, 409]).toContain(r.status);
    const created = new Set(results.filter((r) => r.status === 201).map((r) => r.body.tenantId));
    expect(created.size).toBe(1);
    expect(await tenants()).toBe(before + 1);
  });

  it("a failed request is not remembered: its retry with the same key runs again", async () => {
    const tenant = (await create(admin, undefined, "Registering")).body;
    const accountId = "970000000001";
    const register = () =>
      api({
        method: "POST",
        path: `/v1/tenants/${tenant.tenantId}/accounts`,
        key: admin,
        headers: { "Idempotency-Key": "register-1" },
        body: { accountId, roleArn: `arn:aws:iam::${accountId}:role/Access` },
      });
    // The role is not there yet: registration fails, and that failure is not stored...
    const failed = await register();
    expect(failed.status).toBe(422);
    expect(failed.body.error.code).toBe("ACCESS_DENIED");
    // ...so once the tenant has created it, the same request with the same key registers.
    await createRole(accountId, "Access", trustPolicy(tenant.externalId));
    const retried = await register();
    expect(retried.status).toBe(201);
    const again = await register();
    expect(again.status).toBe(201);
    expect(again.body).toEqual(retried.body);
  });
});
