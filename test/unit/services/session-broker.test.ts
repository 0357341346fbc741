import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Account } from "../../../shared/domain/account";
import type { Grant } from "../../../shared/domain/grant";
import type { PermissionSet } from "../../../shared/domain/permission-set";
import { roleSessionName } from "../../../shared/domain/session";
import type { Tenant } from "../../../shared/domain/tenant";
import { BadGatewayError, BadRequestError, ServiceUnavailableError } from "../../../shared/errors";
import { type BrokeredSession, SessionBroker } from "../../../shared/services/session-broker";
import { SessionCache } from "../../../shared/services/session-cache";
import { ROOT } from "../../../tools/local-aws/local-stack";
import { ManualClock } from "../../support/fakes";
import {
  FakeTenantRoleGateway,
  MemoryAccountStore,
  MemoryAuditStore,
  MemoryBrokerStore,
  MemoryGrantStore,
  MemoryMetrics,
  MemoryPermissionSetStore,
  MemoryTenantStore,
} from "../../support/memory";

/**
 * The broker's I/O around the session decision (whose cases are test/fixtures/session-cases.json):
 * what it asks STS for, what it audits, caches and records. On the in-memory ports; how the
 * DynamoDB adapter reads the state is tested in test/unit/adapters/dynamo-broker-store.test.ts.
 */

/** The state a session request is decided on: test/fixtures/broker-state.json (shared with the bench). */
const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/broker-state.json"), "utf8"));
const T: string = fixture.tenantId;
const A: string = fixture.accountId;
const ROLE = `arn:aws:iam::${A}:role/Access`;
/** The fixture's items without their table keys: tenant, account, grant, permission set. */
const [tenant, account, grant, readSet] = (fixture.items as Record<string, unknown>[]).map(
  ({ PK: _pk, SK: _sk, ...item }) => item,
) as unknown as [Tenant, Account, Grant, PermissionSet];

let clock: ManualClock;
let roles: FakeTenantRoleGateway;
let metrics: MemoryMetrics;
let stores: {
  tenants: MemoryTenantStore;
  accounts: MemoryAccountStore;
  grants: MemoryGrantStore;
  permissionSets: MemoryPermissionSetStore;
  audit: MemoryAuditStore;
};

/** Seeds the stores with the fixture, `change` applied to the tenant and account first. */
async function seed(change: { tenant?: Partial<Tenant>; account?: Partial<Account> } = {}) {
  const tenants = new MemoryTenantStore();
  const accounts = new MemoryAccountStore(tenants);
  const grants = new MemoryGrantStore(tenants);
  const permissionSets = new MemoryPermissionSetStore();
  await tenants.create({ ...tenant, ...change.tenant });
  await accounts.put({ ...account, ...change.account }, undefined);
  await grants.create(grant);
  await permissionSets.put(readSet);
  stores = { tenants, accounts, grants, permissionSets, audit: new MemoryAuditStore() };
}

function broker() {
  return new SessionBroker({
    store: new MemoryBrokerStore(stores),
    permissionSets: stores.permissionSets,
    accounts: stores.accounts,
    audit: stores.audit,
    gateway: roles,
    cache: new SessionCache<BrokeredSession & { expiration: Date }>(),
    clock,
    defaultRegion: "eu-west-1",
    metrics,
  });
}
const caller = { keyId: "key_1", service: "billing" };
const request = { tenantId: T, accountId: A, permissionSet: "read", durationSeconds: 900 };
const trusting = (...externalIds: string[]) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": externalIds } },
    },
  ],
});
const storedAccount = async () => (await stores.accounts.get(T, A)) as Account;

beforeEach(async () => {
  clock = new ManualClock(new Date("2026-11-23T10:00:00.000Z"));
  roles = new FakeTenantRoleGateway(clock).role(ROLE, { trustPolicy: trusting("cpx-current") });
  metrics = new MemoryMetrics();
  await seed();
});

describe("SessionBroker", () => {
  it("calls STS with the tenant's external ID, source identity, tags and the permission set's policy, audited", async () => {
    const s = await broker().issue(caller, request, "req1-abcdefgh-ijkl");
    expect(roles.assumed).toEqual([
      {
        roleArn: ROLE,
        sessionName: "billing-req1-abcdefg",
        durationSeconds: 900,
        region: "eu-west-1",
        externalId: "cpx-current",
        sourceIdentity: "billing",
        tags: [
          { key: "tenant", value: T },
          { key: "service", value: "billing" },
        ],
        policy: readSet.policy,
      },
    ]);
    expect(s).toMatchObject({
      cacheHit: false,
      sessionName: "billing-req1-abcdefg",
      assumedRoleArn: `arn:aws:sts::${A}:assumed-role/Access/billing-req1-abcdefg`,
    });
    expect(stores.audit.records).toHaveLength(1);
    expect(stores.audit.records[0]).toMatchObject({
      tenantId: T,
      accountId: A,
      outcome: "ISSUED",
    });
    expect(JSON.stringify(stores.audit.records)).not.toContain(s.credentials.secretAccessKey);
  });

  it("during a rotation's overlap presents the ID the role last accepted, then the other, and records the one accepted", async () => {
    await seed({
      tenant: {
        externalId: {
          current: "cpx-new",
          currentSince: "2026-11-23T09:30:00.000Z",
          previous: "cpx-current",
          previousValidUntil: "2026-11-30T09:30:00.000Z",
        },
      },
      account: { acceptedExternalId: "cpx-current" },
    });
    // The tenant has updated the role: it now trusts only the new ID.
    roles.role(ROLE, { trustPolicy: trusting("cpx-new") });
    await broker().issue(caller, request, "req-rot");
    expect(roles.assumed.map((r) => r.externalId)).toEqual(["cpx-current", "cpx-new"]);
    expect((await storedAccount()).acceptedExternalId).toBe("cpx-new");
  });

  it("records nothing when the role accepted the ID already recorded", async () => {
    await seed({ account: { acceptedExternalId: "cpx-current" } });
    const record = vi.spyOn(stores.accounts, "recordExternalId");
    await broker().issue(caller, request, "req-same");
    expect(record).not.toHaveBeenCalled();
  });

  it("a brake change (freeze or unfreeze) is a cache miss: no session from before it is handed out", async () => {
    const b = broker();
    await b.issue(caller, request, "r1");
    expect((await b.issue(caller, request, "r2")).cacheHit).toBe(true);
    await stores.accounts.put({ ...(await storedAccount()), brakeGeneration: 2, version: 2 }, 1);
    expect((await b.issue(caller, request, "r3")).cacheHit).toBe(false);
    expect(roles.assumed).toHaveLength(2);
  });

  it("makes one STS call for K concurrent identical requests, and audits each", async () => {
    roles.beforeCall = () => new Promise((r) => setTimeout(r, 20));
    const b = broker();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => b.issue(caller, request, `req-${i}`)),
    );
    expect(roles.assumed).toHaveLength(1);
    expect(new Set(results.map((r) => r.credentials.accessKeyId)).size).toBe(1);
    expect(results.filter((r) => !r.cacheHit)).toHaveLength(1);
    expect(stores.audit.records).toHaveLength(10);
  });

  it("reuses credentials until 5 minutes before they expire", async () => {
    const b = broker();
    await b.issue(caller, request, "r1");
    clock.advance(9 * 60_000); // 6 minutes left
    expect((await b.issue(caller, request, "r2")).cacheHit).toBe(true);
    clock.advance(2 * 60_000); // 4 minutes left: refresh
    expect((await b.issue(caller, request, "r3")).cacheHit).toBe(false);
    expect(roles.assumed).toHaveLength(2);
  });

  it("returns no credentials when the audit write fails (fail closed)", async () => {
    stores.audit.failWrites = new ServiceUnavailableError("The data store is busy", {
      retryAfterSeconds: 1,
    });
    const err = await broker()
      .issue(caller, request, "r1")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(JSON.stringify(err)).not.toContain("fake-secret");
    expect(roles.assumed).toHaveLength(1);
  });

  it.each([["ACCESS_DENIED"], ["ROLE_NOT_FOUND"]])(
    "maps %s to 502 TENANT_ROLE_DENIED and marks the account for re-verification",
    async (code) => {
      roles.fail("assumeRole", code);
      const err = await broker()
        .issue(caller, request, "r1")
        .catch((e) => e);
      expect(err).toBeInstanceOf(BadGatewayError);
      expect(err.code).toBe("TENANT_ROLE_DENIED");
      expect(await storedAccount()).toMatchObject({
        status: "FAILED",
        lastVerification: { code: "ACCESS_DENIED" },
      });
      expect(stores.audit.records).toEqual([
        expect.objectContaining({ outcome: "FAILED", code: "TENANT_ROLE_DENIED" }),
      ]);
    },
  );

  // What the adapter reports (test/unit/adapters/aws-tenant-role-gateway.test.ts maps AWS's own
  // errors to these) → what the caller gets.
  it.each([
    ["throttling", "THROTTLED", ServiceUnavailableError, "STS_THROTTLED"],
    [
      "a timeout, a reset connection or a server fault",
      new ServiceUnavailableError("STS did not answer", { retryAfterSeconds: 1 }),
      ServiceUnavailableError,
      "SERVICE_UNAVAILABLE",
    ],
    [
      "an expired control-plane token",
      "EXPIRED_TOKEN",
      ServiceUnavailableError,
      "SERVICE_UNAVAILABLE",
    ],
    ["a disabled region", "REGION_DISABLED", BadRequestError, "REGION_NOT_ENABLED"],
    ["a request STS rejects", "INVALID_REQUEST", BadRequestError, "SESSION_REJECTED"],
  ])("maps STS %s to its error, audited, no credentials", async (_what, fault, type, code) => {
    roles.fail("assumeRole", fault);
    const err = await broker()
      .issue(caller, request, "r1")
      .catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(code);
    if (err instanceof ServiceUnavailableError) expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(stores.audit.records).toEqual([expect.objectContaining({ outcome: "FAILED", code })]);
    expect((await storedAccount()).status).toBe("VERIFIED");
  });

  // Where a refusal is recorded: the named tenant's trail when it exists (deleting included, its
  // trail outlives it), the platform's when it does not, with the ID as the record's target.
  const NO_TENANT = "tnt_01m842avwd7nqry6k9nnr1wgzz";
  it.each([
    // case, trail, calling service, tenant named, account, tenant being deleted, code
    ["no grant, no such tenant", "PLATFORM", "prober", NO_TENANT, A, false, "NOT_GRANTED"],
    [
      "a grant for every tenant, no such tenant",
      "PLATFORM",
      "reporter",
      NO_TENANT,
      A,
      false,
      "TENANT_NOT_FOUND",
    ],
    ["no grant, the tenant exists", T, "prober", T, A, false, "NOT_GRANTED"],
    [
      "an unknown account of the tenant",
      T,
      "billing",
      T,
      "999999999999",
      false,
      "ACCOUNT_NOT_FOUND",
    ],
    ["a tenant being deleted", T, "billing", T, A, true, "TENANT_NOT_FOUND"],
  ])(
    "a refusal for %s goes to the %s trail",
    async (_case, trail, service, tenantId, accountId, deleting, code) => {
      await stores.grants.create({
        ...grant,
        grantId: "grt_all",
        service: "reporter",
        tenantId: "*",
      });
      if (deleting) await stores.tenants.markDeleting(T, clock.now().toISOString());
      const err = await broker()
        .issue({ keyId: "key_9", service }, { tenantId, accountId }, "r1")
        .catch((e) => e);
      expect(err.code).toBe(code);
      expect(stores.audit.records).toHaveLength(1);
      const platform = (await stores.audit.listPlatform({ limit: 10 })).items;
      const tenantTrail = (await stores.audit.list(tenantId, { limit: 10 })).items;
      const [record] = trail === "PLATFORM" ? platform : tenantTrail;
      expect(trail === "PLATFORM" ? tenantTrail : platform).toEqual([]);
      expect(record).toMatchObject({
        action: "SESSION",
        outcome: "REFUSED",
        code,
        service,
        accountId,
      });
      if (trail === "PLATFORM") {
        expect(record).toMatchObject({ target: tenantId });
        expect(record).not.toHaveProperty("tenantId");
      } else {
        expect(record).toMatchObject({ tenantId });
        expect(record).not.toHaveProperty("target");
      }
    },
  );

  it("counts sessions issued (latency by cache hit or miss) and refused (by code)", async () => {
    const b = broker();
    await b.issue(caller, request, "r1");
    await b.issue(caller, request, "r2");
    roles.fail("assumeRole", "THROTTLED");
    await b.issue(caller, { ...request, durationSeconds: 1000 }, "r3").catch(() => undefined);
    await b.issue(caller, { ...request, accountId: "999999999999" }, "r4").catch(() => undefined);
    expect(metrics.total("SessionsIssued")).toBe(2);
    expect(
      metrics.emitted.filter((m) => m.name === "SessionIssueLatency").map((m) => m.dimensions),
    ).toEqual([{ cache: "miss" }, { cache: "hit" }]);
    expect(metrics.total("SessionsRefused", { code: "STS_THROTTLED" })).toBe(1);
    expect(metrics.total("SessionsRefused", { code: "ACCOUNT_NOT_FOUND" })).toBe(1);
    expect(metrics.total("AssumeRoleThrottled", { caller: "sessions" })).toBe(1);
    // No tenant or account ID as a dimension.
    expect(JSON.stringify(metrics.emitted)).not.toContain(T);
  });

  it("uses the grant's only permission set when none is named", async () => {
    const { permissionSet: _p, ...noSet } = request;
    await broker().issue(caller, noSet, "r1");
    expect(roles.assumed[0]?.policy).toBe(readSet.policy);
  });
});

describe("role session names", () => {
  it.each([
    ["billing", "3b5d3d4e-0f7a-4d5e", "billing-3b5d3d4e-0f7"],
    ["svc@team.example", "abc", "svc@team.example-abc"],
    ["a".repeat(32), "f".repeat(40), `${"a".repeat(32)}-${"f".repeat(12)}`],
    ["billing", "req id/with:odd chars", "billing-reqidwithodd"],
    ["billing", "###", "billing-session"],
  ])("%s + %s → %s", (service, requestId, expected) => {
    const name = roleSessionName(service, requestId);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
