import { beforeEach, describe, expect, it } from "vitest";
import type { Account } from "../../../shared/domain/account";
import type { AuditRecord } from "../../../shared/domain/audit";
import { RoleAccessError } from "../../../shared/domain/errors";
import type { AccountStore, AssumeRoleRequest, RoleBrakeGateway } from "../../../shared/ports";
import { EmergencyBrake } from "../../../shared/services/emergency-brake";
import { anAccount, aTenant } from "../../support/domain";
import { ManualClock } from "../../support/fakes";

/**
 * What the emulator cannot show: it does not evaluate IAM permissions, so a role whose policy
 * does not allow attaching the brake, a refused AssumeRole, and throttling are tested here, at
 * the gateway seam.
 */
const tenant = aTenant();
const account = anAccount("111111111111");
const BRAKE = "arn:aws:iam::111111111111:policy/control-plane/Access-EmergencyBrake";

let stored: Account;
let audit: AuditRecord[];
let assumed: AssumeRoleRequest[];
let attached: Set<string>;
let attachError: Error | undefined;
let assumeError: Error | undefined;

const accounts = {
  get: async () => stored,
  put: async (a: Account) => {
    stored = a;
  },
} as unknown as AccountStore;
const brakes: RoleBrakeGateway = {
  attach: async (_c, _r, arn) => {
    if (attachError) throw attachError;
    attached.add(arn);
  },
  detach: async (_c, _r, arn) => {
    attached.delete(arn);
  },
  attached: async () => [...attached],
};

function brake() {
  return new EmergencyBrake({
    accounts,
    tenants: { get: async () => tenant },
    gateway: {
      assumeRole: async (req) => {
        assumed.push(req);
        if (assumeError) throw assumeError;
        return { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" };
      },
    },
    brakes,
    audit: { write: async (r) => void audit.push(r), list: async () => ({ items: [] }) },
    clock: new ManualClock(),
    region: "us-east-1",
  });
}
const caller = { keyId: "key_1", label: "tenant" };

beforeEach(() => {
  stored = { ...account };
  audit = [];
  assumed = [];
  attached = new Set();
  attachError = undefined;
  assumeError = undefined;
});

describe("EmergencyBrake", () => {
  it("assumes the role as the control plane itself, allowed only to manage the role's policies", async () => {
    await brake().freeze("tnt_a", account.accountId, caller, "req-1");
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
    ]);
    expect(stored.frozen).toEqual({ at: expect.any(String), keyId: "key_1" });
    expect(audit.map((r) => [r.action, r.outcome])).toEqual([["FREEZE", "APPLIED"]]);
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
      await expect(
        brake().freeze("tnt_a", account.accountId, caller, "req-1"),
      ).rejects.toMatchObject({
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
    await expect(brake().freeze("tnt_a", account.accountId, caller, "req-1")).rejects.toMatchObject(
      {
        status,
        code,
      },
    );
    expect(audit.map((r) => [r.outcome, r.code])).toEqual([["FAILED", code]]);
  });

  it("unfreeze detaches only when attached, and clears the mark", async () => {
    await brake().freeze("tnt_a", account.accountId, caller, "req-1");
    await brake().unfreeze("tnt_a", account.accountId, caller, "req-2");
    await brake().unfreeze("tnt_a", account.accountId, caller, "req-3");
    expect(attached.size).toBe(0);
    expect(stored.frozen).toBeUndefined();
    expect(audit.map((r) => r.outcome)).toEqual(["APPLIED", "RELEASED", "RELEASED"]);
  });
});
