import { beforeEach, describe, expect, it } from "vitest";
import type { Account } from "../../../shared/domain/account";
import { AccountService } from "../../../shared/services/account-service";
import { AuditTrail } from "../../../shared/services/audit-trail";
import type { RoleVerifier } from "../../../shared/services/role-verifier";
import { TenantService } from "../../../shared/services/tenant-service";
import { anAccount } from "../../support/domain";
import { ManualClock, SequenceRandom } from "../../support/fakes";
import {
  MemoryAccountStore,
  MemoryAuditStore,
  MemoryMetrics,
  MemoryTenantStore,
  testActor,
} from "../../support/memory";

/** The lifecycle as AccountService applies it, on in-memory ports. */
let accounts: MemoryAccountStore;
let audit: MemoryAuditStore;
let service: AccountService;
let tenantId: string;
let metrics: MemoryMetrics;

const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Access`;

async function seed(overrides: Partial<Account>) {
  await accounts.put(anAccount(ACCOUNT, { tenantId, roleArn: ROLE, ...overrides }), undefined);
}

beforeEach(async () => {
  metrics = new MemoryMetrics();
  const clock = new ManualClock();
  const tenants = new MemoryTenantStore();
  accounts = new MemoryAccountStore(tenants);
  audit = new MemoryAuditStore();
  const trail = new AuditTrail({ audit, clock });
  const tenantService = new TenantService({
    tenants,
    trail,
    clock,
    random: new SequenceRandom(),
  });
  tenantId = (await tenantService.create("A", testActor())).tenantId;
  service = new AccountService({
    accounts,
    tenants: tenantService,
    verifier: {
      verify: async (input: { externalIds: readonly string[] }) => ({
        ok: true,
        at: clock.now().toISOString(),
        attempts: 1,
        externalId: input.externalIds[0] as string,
      }),
    } as unknown as RoleVerifier,
    trail,
    clock,
    partition: "aws",
    controlPlaneAccountId: "123456789012",
    regions: { isKnown: () => true, partitionOf: () => "aws" },
    metrics,
  });
  audit.records.length = 0;
});

describe("AccountService and the lifecycle", () => {
  it("counts registrations by source and outcome (the refusal code when refused)", async () => {
    await service.register(
      tenantId,
      { accountId: ACCOUNT, roleArn: ROLE },
      { kind: "api" },
      testActor(),
    );
    await service
      .register(
        tenantId,
        { accountId: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/Other` },
        { kind: "api" },
        testActor(),
      )
      .catch(() => undefined);
    expect(metrics.total("Registrations", { source: "api", outcome: "REGISTERED" })).toBe(1);
    expect(
      metrics.total("Registrations", { source: "api", outcome: "ACCOUNT_SETTINGS_DIFFER" }),
    ).toBe(1);
  });

  it("registering an organization's account again through the API keeps it the organization's", async () => {
    const source = { kind: "organization" as const, managementAccountId: "999999999999" };
    await seed({ source });
    const { account } = await service.register(
      tenantId,
      { accountId: ACCOUNT, roleArn: ROLE },
      { kind: "api" },
      testActor(),
    );
    // So the organization can still detach it when it leaves, and nothing else can.
    expect(account.source).toEqual(source);
  });

  it("a DETACHED account registered through the API becomes the API's", async () => {
    await seed({
      status: "DETACHED",
      source: { kind: "organization", managementAccountId: "999999999999" },
    });
    const { account } = await service.register(
      tenantId,
      { accountId: ACCOUNT, roleArn: ROLE },
      { kind: "api" },
      testActor(),
    );
    expect(account).toMatchObject({ status: "VERIFIED", source: { kind: "api" } });
  });

  it("a frozen account is not deleted (409 ACCOUNT_FROZEN), and nothing is recorded", async () => {
    await seed({ frozen: { at: "2026-11-23T09:00:00.000Z", keyId: "key_a" } });
    await expect(service.delete(tenantId, ACCOUNT, testActor())).rejects.toMatchObject({
      status: 409,
      code: "ACCOUNT_FROZEN",
    });
    expect(await accounts.get(tenantId, ACCOUNT)).toBeDefined();
    expect(audit.records).toEqual([]);
  });

  it("a DETACHED account is neither verified nor changed back into service (409 ACCOUNT_DETACHED)", async () => {
    await seed({ status: "DETACHED" });
    await expect(service.verify(tenantId, ACCOUNT, testActor())).rejects.toMatchObject({
      status: 409,
      code: "ACCOUNT_DETACHED",
    });
    await expect(
      service.update(tenantId, ACCOUNT, { regions: ["us-east-1"] }, testActor()),
    ).rejects.toMatchObject({ status: 409, code: "ACCOUNT_DETACHED" });
    expect((await accounts.get(tenantId, ACCOUNT))?.status).toBe("DETACHED");
  });

  it("a deletion is recorded with the acting key, the source and the state it left", async () => {
    await seed({});
    await service.delete(tenantId, ACCOUNT, testActor("req-9", "key_tenant"));
    expect(audit.records).toEqual([
      expect.objectContaining({
        action: "ACCOUNT_DELETE",
        requestId: "req-9",
        keyId: "key_tenant",
        keyRole: "admin",
        tenantId,
        accountId: ACCOUNT,
        source: "api",
        fromState: "VERIFIED",
        toState: "ABSENT",
        outcome: "SUCCEEDED",
      }),
    ]);
  });
});

describe("AuditTrail", () => {
  it("sends a record it could not write to the log instead of failing the change made", async () => {
    const logged: unknown[] = [];
    const trail = new AuditTrail({
      audit: {
        write: async () => {
          throw new Error("ProvisionedThroughputExceededException");
        },
        list: async () => ({ items: [] }),
        listPlatform: async () => ({ items: [] }),
      },
      clock: new ManualClock(),
      onWriteFailure: (record) => logged.push(record),
    });
    await trail.record(testActor(), { action: "TENANT_SUSPEND", tenantId: "tnt_a" });
    expect(logged).toEqual([
      expect.objectContaining({
        action: "TENANT_SUSPEND",
        outcome: "SUCCEEDED",
        keyId: "key_admin",
      }),
    ]);
  });
});
