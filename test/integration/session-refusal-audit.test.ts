import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { allItems, seedKey, useFreshTable } from "../support/table";

/**
 * Where a refused session request is recorded, on the emulator through the real handler and under
 * the broker function's role: in the trail of the tenant it named when that tenant exists; in the
 * platform's trail when it does not, so a service cannot make a partition (and a trail an admin
 * would have to know to look at) for every ID it invents.
 */
const READ_S3 = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }],
};
/** Well formed, never created. */
const MADE_UP = "tnt_01m842avwd7nqry6k9nnr1wgjf";
const ACCOUNT = "123456789012";

let table: string;
let admin: string;
let prober: string;
let reporter: string;
let tenantId: string;

const session = (key: string, body: Record<string, unknown>) =>
  api({ method: "POST", path: "/v1/sessions", key, body });

async function trail(path: string) {
  const res = await api({ method: "GET", path, key: admin, query: { limit: "100" } });
  expect(res.status).toBe(200);
  return res.body.items as Record<string, unknown>[];
}

/** Every item whose keys name the tenant ID, in any partition (the rate counters name services). */
async function itemsNaming(id: string) {
  return (await allItems(table)).filter((item) => item.includes(id));
}

beforeAll(async () => {
  table = await useFreshTable("session-refusal-audit");
  admin = (await seedKey(table, { role: "admin" })).secret;
  prober = (await seedKey(table, { role: "service", service: "prober" })).secret;
  reporter = (await seedKey(table, { role: "service", service: "reporter" })).secret;
  tenantId = (
    await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Real" } })
  ).body.tenantId;
  const set = await api({
    method: "PUT",
    path: "/v1/permission-sets/read-s3",
    key: admin,
    body: { policy: READ_S3 },
  });
  expect(set.status).toBe(201);
  const grant = await api({
    method: "POST",
    path: "/v1/grants",
    key: admin,
    body: { service: "reporter", tenantId: "*", permissionSets: ["read-s3"] },
  });
  expect(grant.status).toBe(201);
});

describe("session refusals on the audit trails", () => {
  it.each([
    ["a service with no grant", () => prober, 403, "NOT_GRANTED"],
    ["a service granted every tenant", () => reporter, 404, "TENANT_NOT_FOUND"],
  ])(
    "%s naming a tenant that does not exist: one record in the platform's trail, nothing under the ID",
    async (_name, key, status, code) => {
      const platformBefore = await trail("/v1/audit");
      const res = await session(key(), { tenantId: MADE_UP, accountId: ACCOUNT });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(await itemsNaming(`AUDIT#${MADE_UP}`)).toEqual([]);
      expect(await trail(`/v1/tenants/${MADE_UP}/audit`)).toEqual([]);
      const platform = await trail("/v1/audit");
      expect(platform).toHaveLength(platformBefore.length + 1);
      expect(platform[0]).toMatchObject({
        action: "SESSION",
        outcome: "REFUSED",
        code,
        keyRole: "service",
        service: key() === prober ? "prober" : "reporter",
        accountId: ACCOUNT,
        // The ID it named, as what the request was about: not a tenant of the platform.
        target: MADE_UP,
      });
      expect(platform[0]).not.toHaveProperty("tenantId");
    },
  );

  it("a service with no grant naming a tenant that exists: on that tenant's trail, as before", async () => {
    const platformBefore = await trail("/v1/audit");
    const res = await session(prober, { tenantId, accountId: ACCOUNT });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("NOT_GRANTED");
    expect((await trail(`/v1/tenants/${tenantId}/audit`))[0]).toMatchObject({
      action: "SESSION",
      outcome: "REFUSED",
      code: "NOT_GRANTED",
      service: "prober",
      tenantId,
      accountId: ACCOUNT,
    });
    expect(await trail("/v1/audit")).toHaveLength(platformBefore.length);
  });
});
