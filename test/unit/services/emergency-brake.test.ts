import { beforeEach, describe, expect, it } from "vitest";
import type { Account } from "../../../shared/domain/account";
import type { Actor, AuditRecord } from "../../../shared/domain/audit";
import { RoleAccessError } from "../../../shared/domain/errors";
import { ServiceUnavailableError } from "../../../shared/errors";
import type {
  AccountStore,
  AssumeRoleRequest,
  RoleBrakeGateway,
} from "../../../shared/ports/accounts";
import { EmergencyBrake } from "../../../shared/services/emergency-brake";
import { anAccount, aTenant } from "../../support/domain";
import { ManualClock } from "../../support/fakes";

/**
 * At the gateway seam: the order of IAM calls, the policies asked for, and failures the emulator
 * does not produce on demand (throttling, a stack without the revocation boundary).
 * test/integration/emergency-brake.test.ts shows IAM's decisions on the emulator.
 */
const tenant = aTenant();
const account = anAccount("111111111111");
const BRAKE = "arn:aws:iam::111111111111:policy/control-plane/Access-EmergencyBrake";
const REVOCATION = "arn:aws:iam::111111111111:policy/control-plane/Access-SessionRevocation";

let stored: Account;
let audit: AuditRecord[];
let assumed: AssumeRoleRequest[];
let attached: Set<string>;
let attachError: Error | undefined;
let assumeError: Error | undefined;
let rewriteError: Error | undefined;
/** Every IAM call, in order, with the session (its number) that made it. */
let calls: string[];
let rewritten: { arn: string; document: string }[];

const accounts = {
  get: async () => stored,
  put: async (a: Account) => {
    stored = a;
  },
} as unknown as AccountStore;
const brakes: RoleBrakeGateway = {
  attach: async (c, _r, arn) => {
    calls.push(`attach as ${c.accessKeyId}`);
    if (attachError) throw attachError;
    attached.add(arn);
  },
  detach: async (c, _r, arn) => {
    calls.push(`detach as ${c.accessKeyId}`);
    attached.delete(arn);
  },
  attached: async (c) => {
    calls.push(`list as ${c.accessKeyId}`);
    return [...attached];
  },
  rewritePolicy: async (c, arn, document) => {
    calls.push(`rewrite as ${c.accessKeyId}`);
    if (rewriteError) throw rewriteError;
    rewritten.push({ arn, document });
  },
};

function brake() {
  return new EmergencyBrake({
    accounts,
    tenants: { get: async () => tenant },
    gateway: {
      assumeRole: async (req) => {
        assumed.push(req);
        if (assumeError) throw assumeError;
        return { accessKeyId: `s${assumed.length}`, secretAccessKey: "s", sessionToken: "t" };
      },
    },
    brakes,
    audit: {
      write: async (r) => void audit.push(r),
      list: async () => ({ items: [] }),
      listPlatform: async () => ({ items: [] }),
    },
    clock: new ManualClock(),
    region: "us-east-1",
  });
}
/** A tenant's own key: recorded with its role, never as a service. */
const caller: Actor = { requestId: "req-1", keyId: "key_1", keyRole: "tenant" };

beforeEach(() => {
  stored = { ...account };
  audit = [];
  assumed = [];
  attached = new Set();
  attachError = undefined;
  assumeError = undefined;
  rewriteError = undefined;
  calls = [];
  rewritten = [];
});

describe("EmergencyBrake", () => {
  it("assumes the role as the control plane itself, allowed only to manage the role's policies", async () => {
    await brake().freeze("tnt_a", account.accountId, caller);
    expect(attached).toEqual(new Set([BRAKE]));
    expect(assumed[0]).toMatchObject({
      roleArn: account.roleArn,
      externalId: "cpx-a",
      sourceIdentity: "control-plane",
    });
    expect(JSON.parse(assumed[0]?.policy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
        Resource: account.roleArn,
      },
      {
        Effect: "Allow",
        Action: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"],
        Resource: REVOCATION,
      },
    ]);
    expect(stored.frozen).toEqual({ at: expect.any(String), keyId: "key_1" });
    expect(audit.map((r) => [r.action, r.outcome])).toEqual([["FREEZE", "APPLIED"]]);
    // The acting key and its role, never the role passed off as a service name.
    expect(audit[0]).toMatchObject({ keyId: "key_1", keyRole: "tenant", requestId: "req-1" });
    expect(audit[0]?.service).toBeUndefined();
  });

  it.each([
    [
      "AccessDenied (the role's policy does not allow it)",
      new RoleAccessError("ACCESS_DENIED", "denied"),
    ],
    [
      "NoSuchEntity (the stack created no brake policy)",
      new RoleAccessError("ROLE_NOT_FOUND", "no policy"),
    ],
  ])(
    "attach refused with %s → 409 EMERGENCY_BRAKE_NOT_ENABLED, nothing marked",
    async (_n, err) => {
      attachError = err;
      await expect(brake().freeze("tnt_a", account.accountId, caller)).rejects.toMatchObject({
        status: 409,
        code: "EMERGENCY_BRAKE_NOT_ENABLED",
      });
      expect(stored.frozen).toBeUndefined();
      expect(audit.map((r) => [r.outcome, r.code])).toEqual([
        ["REFUSED", "EMERGENCY_BRAKE_NOT_ENABLED"],
      ]);
    },
  );

  it.each([
    [new RoleAccessError("ACCESS_DENIED", "trust"), 502, "TENANT_ROLE_DENIED"],
    [new RoleAccessError("THROTTLED", "slow down"), 503, "SERVICE_UNAVAILABLE"],
  ])("AssumeRole failing with %s → %i %s, audited as FAILED", async (err, status, code) => {
    assumeError = err;
    await expect(brake().freeze("tnt_a", account.accountId, caller)).rejects.toMatchObject({
      status,
      code,
    });
    expect(audit.map((r) => [r.outcome, r.code])).toEqual([["FAILED", code]]);
  });

  it("unfreeze detaches only when attached, and clears the mark", async () => {
    await brake().freeze("tnt_a", account.accountId, caller);
    await brake().unfreeze("tnt_a", account.accountId, caller);
    await brake().unfreeze("tnt_a", account.accountId, caller);
    expect(attached.size).toBe(0);
    expect(stored.frozen).toBeUndefined();
    expect(audit.map((r) => r.outcome)).toEqual(["APPLIED", "RELEASED", "RELEASED"]);
  });

  it("freezing a frozen role reads the brake as attached and attaches nothing (IAM would deny it)", async () => {
    attached.add(BRAKE);
    await brake().freeze("tnt_a", account.accountId, caller);
    expect(calls).toEqual(["list as s1"]);
    expect(stored.frozen).toBeDefined();
  });

  it("unfreeze revokes earlier sessions first, then detaches with a session issued after the cutoff", async () => {
    attached.add(BRAKE);
    await brake().unfreeze("tnt_a", account.accountId, caller);
    expect(calls).toEqual(["list as s1", "rewrite as s1", "detach as s2"]);
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0]?.arn).toBe(REVOCATION);
    const statements = JSON.parse(rewritten[0]?.document as string).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "*", Resource: "*" }),
      expect.objectContaining({
        Effect: "Deny",
        Action: "*",
        Condition: {
          DateLessThan: { "aws:TokenIssueTime": new ManualClock().now().toISOString() },
        },
      }),
    ]);
  });

  it("a role without the revocation boundary stays frozen: 409 SESSION_REVOCATION_NOT_ENABLED", async () => {
    await brake().freeze("tnt_a", account.accountId, caller);
    rewriteError = new RoleAccessError("ROLE_NOT_FOUND", "NoSuchEntity: policy");
    await expect(brake().unfreeze("tnt_a", account.accountId, caller)).rejects.toMatchObject({
      status: 409,
      code: "SESSION_REVOCATION_NOT_ENABLED",
    });
    expect(attached).toEqual(new Set([BRAKE]));
    expect(stored.frozen).toBeDefined();
    expect(audit.map((r) => [r.action, r.outcome, r.code ?? null])).toEqual([
      ["FREEZE", "APPLIED", null],
      ["UNFREEZE", "REFUSED", "SESSION_REVOCATION_NOT_ENABLED"],
    ]);
  });

  it("IAM unavailable while rewriting the boundary is 503, not 'not enabled'; the role stays frozen", async () => {
    await brake().freeze("tnt_a", account.accountId, caller);
    rewriteError = new ServiceUnavailableError("AWS STS or IAM is unavailable; retry shortly");
    await expect(brake().unfreeze("tnt_a", account.accountId, caller)).rejects.toMatchObject({
      status: 503,
    });
    expect(attached).toEqual(new Set([BRAKE]));
    expect(stored.frozen).toBeDefined();
  });

  it("every freeze and unfreeze moves the brake generation (the broker's cache key)", async () => {
    const before = stored.brakeGeneration ?? 0;
    await brake().freeze("tnt_a", account.accountId, caller);
    expect(stored.brakeGeneration).toBe(before + 1);
    await brake().unfreeze("tnt_a", account.accountId, caller);
    expect(stored.brakeGeneration).toBe(before + 2);
  });
});
