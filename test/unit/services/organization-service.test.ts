import { beforeEach, describe, expect, it } from "vitest";
import type { Account, AccountSource } from "../../../shared/domain/account";
import { parseRoleArn, type RoleArn } from "../../../shared/domain/arn";
import { VerificationFailedError } from "../../../shared/domain/errors";
import type {
  OrganizationConnection,
  OrganizationMember,
} from "../../../shared/domain/organization";
import { ConflictError, ServiceUnavailableError, UnprocessableError } from "../../../shared/errors";
import type {
  AccountStore,
  AwsCredentials,
  OrganizationGateway,
  OrganizationStore,
} from "../../../shared/ports";
import { AuditTrail } from "../../../shared/services/audit-trail";
import {
  type OrganizationChange,
  OrganizationService,
} from "../../../shared/services/organization-service";
import { aTenant } from "../../support/domain";
import { ManualClock } from "../../support/fakes";
import { MemoryAuditStore, testActor } from "../../support/memory";

/**
 * The service against in-memory ports. The organization: root r-root1 with the management
 * account, OU A (two accounts, and a child OU A1 with one account, and A1's child A2 with one),
 * OU B (one account). ListChildren is served two items per page.
 */
const MANAGEMENT = "100000000000";
const tenant = aTenant();
const tree: Record<string, { accounts: string[]; units: string[] }> = {
  "r-root1": { accounts: [MANAGEMENT], units: ["ou-root-aaaaaaaa", "ou-root-bbbbbbbb"] },
  "ou-root-aaaaaaaa": { accounts: ["200000000001", "200000000002"], units: ["ou-root-a1a1a1a1"] },
  "ou-root-a1a1a1a1": { accounts: ["200000000003"], units: ["ou-root-a2a2a2a2"] },
  "ou-root-a2a2a2a2": { accounts: ["200000000004"], units: [] },
  "ou-root-bbbbbbbb": { accounts: ["300000000001"], units: [] },
};
const allAccounts = Object.values(tree).flatMap((n) => n.accounts);

class FakeOrganizations implements OrganizationGateway {
  calls: string[] = [];
  states = new Map<string, string>();
  async describe() {
    return { organizationId: "o-abc", managementAccountId: MANAGEMENT };
  }
  async accounts(): Promise<OrganizationMember[]> {
    return allAccounts.map((accountId) => ({
      accountId,
      state: this.states.get(accountId) ?? "ACTIVE",
    }));
  }
  async children(_c: AwsCredentials, parent: string, type: "ACCOUNT" | "ORGANIZATIONAL_UNIT") {
    this.calls.push(`${type}:${parent}`);
    const node = tree[parent];
    if (!node) throw new UnprocessableError("ORGANIZATIONAL_UNIT_NOT_FOUND", parent);
    return type === "ACCOUNT" ? node.accounts : node.units;
  }
}

class Accounts implements AccountStore {
  items = new Map<string, Account>();
  async put(account: Account) {
    this.items.set(account.accountId, account);
  }
  async get(_t: string, id: string) {
    return this.items.get(id);
  }
  async list() {
    return { items: [...this.items.values()] };
  }
  async markDenied() {}
  async recordExternalId() {}
  async delete(_t: string, id: string) {
    return this.items.delete(id);
  }
}

class Organizations implements OrganizationStore {
  item: OrganizationConnection | undefined;
  async get() {
    return this.item;
  }
  async put(c: OrganizationConnection) {
    this.item = c;
  }
  async delete() {
    const had = this.item !== undefined;
    this.item = undefined;
    return had;
  }
  async list() {
    return { items: this.item ? [this.item] : [] };
  }
}

let clock: ManualClock;
let orgApi: FakeOrganizations;
let accounts: Accounts;
let store: Organizations;
let events: OrganizationChange[];
/** Per account: what registering it does (default: it verifies). */
let registerOutcome: Map<string, () => void>;

function service(deadlineAdvanceMs = 0) {
  return new OrganizationService({
    organizations: store,
    accounts,
    members: {
      parseRole: (accountId: string, arn: string) => {
        const role = parseRoleArn(arn) as RoleArn;
        if (role.accountId !== accountId) throw new Error("mismatch");
        return role;
      },
      register: async (
        tenantId: string,
        input: { accountId: string; roleArn: string },
        source: AccountSource,
      ) => {
        clock.advance(deadlineAdvanceMs);
        registerOutcome.get(input.accountId)?.();
        const account: Account = {
          tenantId,
          accountId: input.accountId,
          roleArn: input.roleArn,
          partition: "aws",
          regions: [],
          status: "VERIFIED",
          lastVerification: { at: "x" },
          source,
          createdAt: "x",
          updatedAt: "x",
          version: (accounts.items.get(input.accountId)?.version ?? 0) + 1,
        };
        accounts.items.set(input.accountId, account);
        return { account, created: true };
      },
    },
    trail: new AuditTrail({ audit: new MemoryAuditStore(), clock }),
    tenants: { get: async () => tenant },
    verifier: { verify: async () => ({ ok: true, at: "x", attempts: 1, externalId: "cpx-a" }) },
    gateway: {
      assumeRole: async () => ({ accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" }),
      callerIdentity: async () => ({ account: "", arn: "" }),
      roleTrustPolicy: async () => ({}),
    },
    organizationsApi: orgApi,
    publish: async (changes) => {
      events.push(...changes);
    },
    clock,
    concurrency: 2,
    partition: "aws",
    region: "us-east-1",
  });
}

const input = (organizationalUnitIds?: string[]) => ({
  managementAccountId: MANAGEMENT,
  managementRoleArn: `arn:aws:iam::${MANAGEMENT}:role/Reader`,
  memberRoleName: "Access",
  ...(organizationalUnitIds ? { organizationalUnitIds } : {}),
});

beforeEach(() => {
  clock = new ManualClock();
  orgApi = new FakeOrganizations();
  accounts = new Accounts();
  store = new Organizations();
  events = [];
  registerOutcome = new Map();
});

describe("OrganizationService", () => {
  it("walks the chosen OUs and all their descendants, each parent listed once", async () => {
    const { report } = await service().connect(
      "tnt_a",
      input(["ou-root-aaaaaaaa"]),
      Number.MAX_SAFE_INTEGER,
      testActor(),
    );
    expect(report.registered.map((r) => r.accountId)).toEqual([
      "200000000001",
      "200000000002",
      "200000000003",
      "200000000004",
    ]);
    expect(report.registered[0]?.roleArn).toBe("arn:aws:iam::200000000001:role/Access");
    expect(orgApi.calls.sort()).toEqual(
      ["ou-root-aaaaaaaa", "ou-root-a1a1a1a1", "ou-root-a2a2a2a2"]
        .flatMap((p) => [`ACCOUNT:${p}`, `ORGANIZATIONAL_UNIT:${p}`])
        .sort(),
    );
  });

  it("an OU and its own child both chosen: each account once", async () => {
    const { report } = await service().connect(
      "tnt_a",
      input(["ou-root-aaaaaaaa", "ou-root-a1a1a1a1"]),
      Number.MAX_SAFE_INTEGER,
      testActor(),
    );
    expect(report.registered).toHaveLength(4);
    expect(orgApi.calls.filter((c) => c === "ACCOUNT:ou-root-a1a1a1a1")).toHaveLength(1);
  });

  it("the whole organization without OUs: the management account skipped, not registered", async () => {
    const { report, organization } = await service().connect(
      "tnt_a",
      input(),
      Number.MAX_SAFE_INTEGER,
      testActor(),
    );
    expect(report.skipped).toEqual([{ accountId: MANAGEMENT, reason: "MANAGEMENT_ACCOUNT" }]);
    expect(report.registered).toHaveLength(5);
    expect(accounts.items.has(MANAGEMENT)).toBe(false);
    expect(orgApi.calls).toEqual([]); // no OU walk for the whole organization
    expect(organization.lastSync).toMatchObject({ members: 5, registered: 5, skipped: 1 });
  });

  it("partial failures do not stop the others: failed with the code, or pending", async () => {
    registerOutcome.set("200000000001", () => {
      throw new VerificationFailedError("ROLE_NOT_FOUND", "no role");
    });
    registerOutcome.set("200000000002", () => {
      throw new ServiceUnavailableError("DynamoDB is throttling");
    });
    const { report } = await service().connect(
      "tnt_a",
      input(),
      Number.MAX_SAFE_INTEGER,
      testActor(),
    );
    expect(report.failed).toEqual([
      { accountId: "200000000001", code: "ROLE_NOT_FOUND", message: "no role" },
    ]);
    expect(report.pending).toEqual([{ accountId: "200000000002" }]);
    expect(report.registered.map((r) => r.accountId)).toEqual([
      "200000000003",
      "200000000004",
      "300000000001",
    ]);
    expect(events.map((e) => e.accountId).sort()).toEqual([
      "200000000003",
      "200000000004",
      "300000000001",
    ]);
  });

  it("time runs out: the accounts not reached are pending, and the next sync registers them", async () => {
    // Each registration takes 10 s of (manual) time; the budget is 25 s, two at a time.
    const s = service(10_000);
    const { report } = await s.connect(
      "tnt_a",
      input(),
      clock.now().getTime() + 25_000,
      testActor(),
    );
    expect(report.registered.length + report.pending.length).toBe(5);
    expect(report.pending.length).toBeGreaterThan(0);
    const next = await s.sync(
      store.item as OrganizationConnection,
      Number.MAX_SAFE_INTEGER,
      testActor(),
    );
    expect(next.registered.map((r) => r.accountId)).toEqual(report.pending.map((p) => p.accountId));
  });

  it("a second organization for the same tenant is refused until the first is disconnected", async () => {
    await service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor());
    const other = {
      ...input(),
      managementAccountId: "999999999999",
      managementRoleArn: "arn:aws:iam::999999999999:role/Reader",
    };
    await expect(
      service().connect("tnt_a", other, Number.MAX_SAFE_INTEGER, testActor()),
    ).rejects.toThrow(ConflictError);
    await service().disconnect("tnt_a", false, testActor());
    expect(accounts.items.size).toBe(5); // accounts stay
  });

  it("disconnect with removeAccounts deregisters only what the organization registered", async () => {
    await service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor());
    accounts.items.set("555555555555", {
      ...(accounts.items.get("200000000001") as Account),
      accountId: "555555555555",
      source: { kind: "api" },
    });
    await service().disconnect("tnt_a", true, testActor());
    expect([...accounts.items.keys()]).toEqual(["555555555555"]);
  });

  it("disconnect with removeAccounts refuses, changing nothing, while one of them is frozen", async () => {
    await service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor());
    const frozen = accounts.items.get("200000000001") as Account;
    accounts.items.set("200000000001", { ...frozen, frozen: { at: "x", keyId: "key_a" } });
    await expect(service().disconnect("tnt_a", true, testActor())).rejects.toMatchObject({
      status: 409,
      code: "ACCOUNT_FROZEN",
    });
    expect(accounts.items.size).toBe(5);
    expect(store.item).toBeDefined(); // still connected: nothing was done
  });

  it("refuses a role that is not the organization's management account", async () => {
    orgApi.describe = async () => ({
      organizationId: "o-abc",
      managementAccountId: "999999999999",
    });
    await expect(
      service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor()),
    ).rejects.toMatchObject({
      code: "NOT_MANAGEMENT_ACCOUNT",
    });
    expect(store.item).toBeUndefined();
  });

  it("the scheduled sync goes on after one organization fails", async () => {
    await service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor());
    orgApi.accounts = async () => {
      throw new ServiceUnavailableError("Organizations is down");
    };
    const failures: string[] = [];
    const totals = await service().syncAll(
      Number.MAX_SAFE_INTEGER,
      (t) => failures.push(t),
      testActor(),
    );
    expect(totals).toMatchObject({ synced: 0, failed: 1 });
    expect(failures).toEqual(["tnt_a"]);
  });

  it("a first connect whose listing fails leaves no connection behind", async () => {
    orgApi.accounts = async () => {
      throw new UnprocessableError("ACCESS_DENIED", "the role may not list the organization");
    };
    await expect(
      service().connect("tnt_a", input(), Number.MAX_SAFE_INTEGER, testActor()),
    ).rejects.toThrow(UnprocessableError);
    expect(store.item).toBeUndefined();
    expect(accounts.items.size).toBe(0);
  });
});
