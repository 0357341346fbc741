import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { seedKey, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/** GET /v1/whoami on the emulator: a key learns who it is and what it may broker, nothing more. */
let admin: string;
let tenantId: string;
let otherTenantId: string;

async function tenantWithAccount(name: string, accountId: string) {
  const t = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } });
  const roleArn = await createRole(accountId, "Access", trustPolicy(t.body.externalId));
  const res = await api({
    method: "POST",
    path: `/v1/tenants/${t.body.tenantId}/accounts`,
    key: admin,
    body: { accountId, roleArn, regions: ["eu-west-1"] },
  });
  expect(res.status).toBe(201);
  return t.body.tenantId as string;
}

beforeAll(async () => {
  const table = await useFreshTable("whoami");
  admin = (await seedKey(table, { role: "admin" })).secret;
  tenantId = await tenantWithAccount("Mine", "620000000001");
  otherTenantId = await tenantWithAccount("Theirs", "620000000002");
});

describe("GET /v1/whoami", () => {
  it("a service key: its grants, and for each tenant the accounts it reaches", async () => {
    const key = await grantedService(admin, tenantId, "whoami-svc");
    await grantedService(admin, otherTenantId, "someone-else");
    const res = await api({ method: "GET", path: "/v1/whoami", key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      keyId: expect.stringMatching(/^key_/),
      role: "service",
      service: "whoami-svc",
      grants: [
        {
          grantId: expect.stringMatching(/^grt_/),
          tenantId,
          permissionSets: ["whoami-svc-read"],
          maxDurationSeconds: expect.any(Number),
          accounts: [
            {
              accountId: "620000000001",
              status: "VERIFIED",
              regions: ["eu-west-1"],
              frozen: false,
            },
          ],
        },
      ],
    });
  });

  it("an admin key and a tenant key: who they are, no grants", async () => {
    const asAdmin = await api({ method: "GET", path: "/v1/whoami", key: admin });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toEqual({ keyId: expect.stringMatching(/^key_/), role: "admin" });
    const created = await api({
      method: "POST",
      path: "/v1/api-keys",
      key: admin,
      body: { role: "tenant", tenantId },
    });
    const asTenant = await api({ method: "GET", path: "/v1/whoami", key: created.body.apiKey });
    expect(asTenant.body).toEqual({ keyId: created.body.keyId, role: "tenant", tenantId });
  });

  it("no key, or a wrong one: 401", async () => {
    expect((await api({ method: "GET", path: "/v1/whoami" })).status).toBe(401);
    expect((await api({ method: "GET", path: "/v1/whoami", key: "cpk_nope" })).status).toBe(401);
  });
});
