import { beforeEach, describe, expect, it } from "vitest";
import type { Grant } from "../../../shared/domain/grant";
import { CallerAccess, MAX_ACCOUNTS_PER_GRANT } from "../../../shared/services/caller-access";
import { anAccount, aTenant } from "../../support/domain";
import { MemoryAccountStore, MemoryGrantStore, MemoryTenantStore } from "../../support/memory";

/** What `GET /v1/whoami` tells a key about itself, on the in-memory stores. */
let tenants: MemoryTenantStore;
let accounts: MemoryAccountStore;
let grants: MemoryGrantStore;
let access: CallerAccess;

const grant = (grantId: string, service: string, tenantId: string): Grant => ({
  grantId,
  service,
  tenantId,
  permissionSets: ["read"],
  maxDurationSeconds: 3600,
  createdAt: "2026-12-01T00:00:00.000Z",
});

beforeEach(async () => {
  tenants = new MemoryTenantStore();
  accounts = new MemoryAccountStore(tenants);
  grants = new MemoryGrantStore(tenants);
  access = new CallerAccess({ grants, accounts });
  for (const tenantId of ["tnt_a", "tnt_b"])
    await tenants.create(
      aTenant({ tenantId, externalId: { current: `cpx-${tenantId}`, currentSince: "x" } }),
    );
  await accounts.put(anAccount("111111111111"), undefined);
  await accounts.put(
    anAccount("222222222222", { frozen: { at: "x", by: "key_a" } as never }),
    undefined,
  );
  await accounts.put(anAccount("333333333333", { status: "DETACHED" }), undefined);
  await accounts.put(anAccount("444444444444", { tenantId: "tnt_b" }), undefined);
});

describe("CallerAccess", () => {
  it("an admin or tenant key: its ID and role (and tenant), no grants", async () => {
    expect(await access.describe({ keyId: "key_1", role: "admin" })).toEqual({
      keyId: "key_1",
      role: "admin",
    });
    expect(await access.describe({ keyId: "key_2", role: "tenant", tenantId: "tnt_a" })).toEqual({
      keyId: "key_2",
      role: "tenant",
      tenantId: "tnt_a",
    });
  });

  it("a service key: its own grants only, each tenant's accounts but the detached ones", async () => {
    await grants.create(grant("grt_1", "billing", "tnt_a"));
    await grants.create(grant("grt_2", "billing", "*"));
    await grants.create(grant("grt_3", "reporting", "tnt_b"));
    const view = await access.describe({ keyId: "key_s", role: "service", service: "billing" });
    expect(view).toEqual({
      keyId: "key_s",
      role: "service",
      service: "billing",
      grants: [
        { grantId: "grt_2", tenantId: "*", permissionSets: ["read"], maxDurationSeconds: 3600 },
        {
          grantId: "grt_1",
          tenantId: "tnt_a",
          permissionSets: ["read"],
          maxDurationSeconds: 3600,
          accounts: [
            { accountId: "111111111111", status: "VERIFIED", regions: [], frozen: false },
            { accountId: "222222222222", status: "VERIFIED", regions: [], frozen: true },
          ],
        },
      ],
    });
  });

  it("a service without grants: an empty list", async () => {
    expect(
      (await access.describe({ keyId: "k", role: "service", service: "none" })).grants,
    ).toEqual([]);
  });

  it(`lists at most ${MAX_ACCOUNTS_PER_GRANT} accounts per grant, and says so`, async () => {
    for (let i = 0; i < MAX_ACCOUNTS_PER_GRANT + 5; i++) {
      await accounts.put(anAccount(String(500000000000 + i), { tenantId: "tnt_b" }), undefined);
    }
    await grants.create(grant("grt_9", "bulk", "tnt_b"));
    const [only] =
      (await access.describe({ keyId: "k", role: "service", service: "bulk" })).grants ?? [];
    expect(only?.accounts).toHaveLength(MAX_ACCOUNTS_PER_GRANT);
    expect(only?.accountsTruncated).toBe(true);
  });
});
