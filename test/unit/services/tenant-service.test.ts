import { beforeEach, describe, expect, it } from "vitest";
import { ExternalIdTakenError, StaleTenantError } from "../../../shared/domain/errors";
import type { ExternalIdState, Tenant } from "../../../shared/domain/tenant";
import { ConflictError, TenantNotFoundError } from "../../../shared/errors";
import { AuditTrail } from "../../../shared/services/audit-trail";
import { ExternalIdRotation } from "../../../shared/services/external-id-rotation";
import { TenantService } from "../../../shared/services/tenant-service";
import { anAccount } from "../../support/domain";
import { ManualClock, SequenceRandom } from "../../support/fakes";
import {
  MemoryAccountStore,
  MemoryAuditStore,
  MemoryTenantStore,
  testActor,
} from "../../support/memory";

/** The in-memory store, with collisions and lost races on demand. */
class ContendedTenants extends MemoryTenantStore {
  /** How many of the next creations find their external ID taken. */
  takenIds = 0;
  /** How many of the next rotations lose a race to a concurrent change. */
  lostRaces = 0;
  readonly attempted: string[] = [];
  readonly rotatedFromVersion: number[] = [];

  override async create(tenant: Tenant) {
    this.attempted.push(tenant.externalId.current);
    if (this.takenIds > 0) {
      this.takenIds -= 1;
      throw new ExternalIdTakenError();
    }
    return super.create(tenant);
  }

  override async updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string) {
    this.rotatedFromVersion.push(tenant.version);
    if (this.lostRaces > 0) {
      this.lostRaces -= 1;
      // Someone else changed the tenant meanwhile: its version moved on.
      const stored = this.tenants.get(tenant.tenantId) as Tenant;
      this.tenants.set(tenant.tenantId, { ...stored, version: stored.version + 1 });
      throw new StaleTenantError(tenant.tenantId);
    }
    return super.updateExternalId(tenant, next, updatedAt);
  }
}

let tenants: ContendedTenants;
let accounts: MemoryAccountStore;
let audit: MemoryAuditStore;
let service: TenantService;
let rotation: ExternalIdRotation;

beforeEach(() => {
  tenants = new ContendedTenants();
  accounts = new MemoryAccountStore(tenants);
  audit = new MemoryAuditStore();
  const clock = new ManualClock();
  const trail = new AuditTrail({ audit, clock });
  const random = new SequenceRandom();
  service = new TenantService({ tenants, trail, clock, random });
  rotation = new ExternalIdRotation({
    tenants,
    accounts: tenants,
    trail,
    clock,
    random,
    externalIdOverlapSeconds: 3600,
  });
});

describe("TenantService", () => {
  it("draws a new external ID when the first one is already reserved", async () => {
    tenants.takenIds = 1;
    const tenant = await service.create("Acme", testActor());
    expect(tenants.attempted).toHaveLength(2);
    expect(tenants.attempted[0]).not.toBe(tenants.attempted[1]);
    expect(tenant.externalId.current).toBe(tenants.attempted[1]);
    expect(audit.records.map((r) => r.action)).toEqual(["TENANT_CREATE"]);
  });

  it("gives up after a bounded number of draws, recording nothing", async () => {
    tenants.takenIds = 10;
    await expect(service.create("Acme", testActor())).rejects.toBeInstanceOf(ExternalIdTakenError);
    expect(tenants.attempted).toHaveLength(3);
    expect(audit.records).toEqual([]);
  });

  it("retries a rotation that lost a race, on the fresh version", async () => {
    const tenant = await service.create("Acme", testActor());
    tenants.lostRaces = 1;
    const rotated = await rotation.rotate(tenant.tenantId, testActor());
    expect(tenants.rotatedFromVersion).toEqual([1, 2]);
    expect(rotated.version).toBe(3);
    expect(rotated.externalId.previous).toBe(tenant.externalId.current);
    expect(audit.records.map((r) => r.action)).toEqual(["TENANT_CREATE", "EXTERNAL_ID_ROTATE"]);
  });

  it("answers 409 when a rotation keeps losing races, and records nothing", async () => {
    const tenant = await service.create("Acme", testActor());
    tenants.lostRaces = 100;
    const err = await rotation.rotate(tenant.tenantId, testActor()).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("CONCURRENT_MODIFICATION");
    expect(tenants.rotatedFromVersion).toHaveLength(8);
    expect(audit.records.map((r) => r.action)).toEqual(["TENANT_CREATE"]);
  });

  it("treats a tenant being deleted as gone", async () => {
    const tenant = await service.create("Acme", testActor());
    await tenants.markDeleting(tenant.tenantId, "2026-11-23T10:00:00.000Z");
    await expect(service.get(tenant.tenantId)).rejects.toBeInstanceOf(TenantNotFoundError);
    await expect(rotation.rotate(tenant.tenantId, testActor())).rejects.toBeInstanceOf(
      TenantNotFoundError,
    );
    expect(tenants.rotatedFromVersion).toEqual([]);
  });

  it("records suspension, resumption and deletion in the platform's trail, with the acting key", async () => {
    const tenant = await service.create("Acme", testActor());
    await service.setSuspended(tenant.tenantId, true, testActor("req-2", "key_ops"));
    await service.setSuspended(tenant.tenantId, false, testActor("req-3", "key_ops"));
    await service.delete(tenant.tenantId, testActor("req-4", "key_ops"));
    const platform = await audit.listPlatform({ limit: 10 });
    expect(platform.items.map((r) => [r.action, r.keyId, r.tenantId])).toEqual([
      ["TENANT_DELETE", "key_ops", tenant.tenantId],
      ["TENANT_RESUME", "key_ops", tenant.tenantId],
      ["TENANT_SUSPEND", "key_ops", tenant.tenantId],
      ["TENANT_CREATE", "key_admin", tenant.tenantId],
    ]);
    expect((await audit.list(tenant.tenantId, { limit: 10 })).items).toEqual([]);
  });
});

describe("ExternalIdRotation: a rotation waits for the accounts", () => {
  /** A tenant with one account per entry, each seen accepting the given ID (undefined: never). */
  async function tenantWith(...accepted: (string | "CURRENT" | undefined)[]) {
    const tenant = await service.create("Acme", testActor());
    let n = 0;
    for (const id of accepted) {
      n += 1;
      const acceptedExternalId = id === "CURRENT" ? tenant.externalId.current : id;
      await accounts.put(
        anAccount(String(111111111110 + n), {
          tenantId: tenant.tenantId,
          ...(acceptedExternalId === undefined ? {} : { acceptedExternalId }),
        }),
        undefined,
      );
    }
    return tenant;
  }
  const rotations = () => audit.records.filter((r) => r.action === "EXTERNAL_ID_ROTATE");

  it("a tenant with no accounts rotates as often as it likes", async () => {
    const tenant = await tenantWith();
    for (let i = 0; i < 3; i++) await rotation.rotate(tenant.tenantId, testActor());
    expect(rotations()).toHaveLength(3);
    expect(rotations()[0]?.forced).toBeUndefined();
  });

  it("rotates once, then refuses with the count while an account is behind, writing nothing", async () => {
    const tenant = await tenantWith("CURRENT", "CURRENT");
    const rotated = await rotation.rotate(tenant.tenantId, testActor());
    const err = await rotation.rotate(tenant.tenantId, testActor()).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
    expect(err.details).toEqual({
      laggingAccounts: 2,
      accountIds: ["111111111111", "111111111112"],
    });
    expect(await tenants.get(tenant.tenantId)).toEqual(rotated);
    expect(rotations()).toHaveLength(1);
  });

  it("an account never seen accepting an ID holds it back too", async () => {
    const tenant = await tenantWith("CURRENT", undefined);
    const err = await rotation.rotate(tenant.tenantId, testActor()).catch((e) => e);
    expect(err.details).toEqual({ laggingAccounts: 1, accountIds: ["111111111112"] });
  });

  it("force rotates anyway, and its record says so and past how many accounts", async () => {
    const tenant = await tenantWith("cpx-old", "CURRENT");
    const rotated = await rotation.rotate(tenant.tenantId, testActor(), { force: true });
    expect(rotated.externalId.previous).toBe(tenant.externalId.current);
    expect(rotations()).toMatchObject([{ forced: true, laggingAccounts: 1 }]);
  });

  it("of concurrent rotations, one wins; the others retry on its version and find the accounts behind", async () => {
    const tenant = await tenantWith("CURRENT");
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => rotation.rotate(tenant.tenantId, testActor())),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
    // Every one read the same version first: seven lost the write and retried on the next.
    expect(tenants.rotatedFromVersion).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(rotations()).toHaveLength(1);
  });
});
