import { CloudFormationClient, ListStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  CreatePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { DescribeOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { seedKey, useFreshTable } from "../support/table";
import { CONTROL_PLANE_PATTERN, deployTenantStack, tenantAdmin } from "../support/tenant-account";

/**
 * The emergency brake on the emulator: tenant roles deployed from infra/tenant-role.yaml with and
 * without the option, frozen and unfrozen through the API, and the role's attached policies read
 * back in the tenant account with the tenant's own credentials. The emulator evaluates the role's
 * deny statements on every call a session makes, as IAM does: what a brokered session can still
 * do is tested by calling IAM and S3 with it.
 */
const WITH_BRAKE = "950000000001";
const WITHOUT_BRAKE = "950000000002";
let admin: string;
let tenantId: string;
let tenantKey: string;
let serviceKey: string;

async function attached(accountId: string): Promise<string[]> {
  const iam = new IAMClient({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    credentials: await tenantAdmin(accountId),
  });
  const out = await iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: "CrossAccountControlPlaneAccess" }),
  );
  return (out.AttachedPolicies ?? []).map((p) => p.PolicyArn as string);
}

const brake = (accountId: string) =>
  `arn:aws:iam::${accountId}:policy/control-plane/CrossAccountControlPlaneAccess-EmergencyBrake`;
const session = (accountId: string) =>
  api({ method: "POST", path: "/v1/sessions", key: serviceKey, body: { tenantId, accountId } });
type Issued = { accessKeyId: string; secretAccessKey: string; sessionToken: string };
let preFreeze: Issued;

/**
 * What a brokered session can do in the tenant account: list buckets (S3), read its role (IAM),
 * list stacks (CloudFormation), describe the organization (Organizations; an account in none
 * answers AWSOrganizationsNotInUseException, which IAM let through).
 */
async function canCall(c: Issued): Promise<{ s3: boolean; iam: boolean }> {
  const { accessKeyId, secretAccessKey, sessionToken } = c;
  const credentials = { accessKeyId, secretAccessKey, sessionToken };
  const base = { endpoint: process.env.AWS_ENDPOINT_URL, region: LOCAL_REGION, credentials };
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => true,
      (err: Error) => {
        if (err.name === "AWSOrganizationsNotInUseException") return true;
        if (err.name !== "AccessDenied" && err.name !== "AccessDeniedException") throw err;
        return false;
      },
    );
  // CloudFormation and Organizations answer as S3 does: every action but reading the role.
  const others = [
    await outcome(new CloudFormationClient(base).send(new ListStacksCommand({}))),
    await outcome(new OrganizationsClient(base).send(new DescribeOrganizationCommand({}))),
  ];
  const s3 = await outcome(
    new S3Client({ ...base, forcePathStyle: true }).send(new ListBucketsCommand({})),
  );
  expect(others).toEqual([s3, s3]);
  return {
    s3,
    iam: await outcome(
      new IAMClient(base).send(new GetRoleCommand({ RoleName: "CrossAccountControlPlaneAccess" })),
    ),
  };
}
const post = (accountId: string, what: "freeze" | "unfreeze", key = tenantKey) =>
  api({ method: "POST", path: `/v1/tenants/${tenantId}/accounts/${accountId}/${what}`, key });

beforeAll(async () => {
  const table = await useFreshTable("brake");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Brake" } });
  tenantId = t.body.tenantId;
  tenantKey = (await seedKey(table, { role: "tenant", tenantId })).secret;
  for (const [accountId, option] of [
    [WITH_BRAKE, "Enabled"],
    [WITHOUT_BRAKE, "Disabled"],
  ] as const) {
    const { roleArn, outputs } = await deployTenantStack(accountId, "ControlPlaneAccess", {
      ExternalId: t.body.externalId,
      ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
      EmergencyBrake: option,
    });
    expect(outputs.EmergencyBrakePolicyArn).toBe(
      option === "Enabled" ? brake(accountId) : undefined,
    );
    const res = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/accounts`,
      key: admin,
      body: { accountId, roleArn },
    });
    expect(res.status).toBe(201);
  }
  // The session policy allows what canCall tries; the role's ReadOnlyAccess allows it too.
  serviceKey = await grantedService(admin, tenantId, "braked-svc", "braked-svc-read", [
    "s3:ListAllMyBuckets",
    "iam:GetRole",
    "cloudformation:ListStacks",
    "organizations:DescribeOrganization",
  ]);
}, 60_000);

describe("emergency brake on the emulator", () => {
  it("freeze attaches the role's deny policy (read back in the account) and stops brokering", async () => {
    const before = await session(WITH_BRAKE);
    expect(before.status).toBe(201);
    preFreeze = before.body.credentials;
    expect(await canCall(preFreeze)).toEqual({ s3: true, iam: true });
    expect(await attached(WITH_BRAKE)).not.toContain(brake(WITH_BRAKE));

    const frozen = await post(WITH_BRAKE, "freeze");
    expect(frozen.status).toBe(200);
    expect(frozen.body.frozen).toEqual({ at: expect.any(String), keyId: expect.any(String) });
    expect(await attached(WITH_BRAKE)).toContain(brake(WITH_BRAKE));

    const refused = await session(WITH_BRAKE);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("ACCOUNT_FROZEN");
    // IAM stops the session issued before: everything but reading the role itself is denied.
    expect(await canCall(preFreeze)).toEqual({ s3: false, iam: true });

    // Registering it again keeps the freeze: only unfreeze clears it.
    const again200 = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/accounts`,
      key: admin,
      body: {
        accountId: WITH_BRAKE,
        roleArn: `arn:aws:iam::${WITH_BRAKE}:role/CrossAccountControlPlaneAccess`,
      },
    });
    expect(again200.status).toBe(200);
    expect(again200.body.frozen).toEqual(frozen.body.frozen);
    expect((await session(WITH_BRAKE)).body.error.code).toBe("ACCOUNT_FROZEN");
    const patched = await api({
      method: "PATCH",
      path: `/v1/tenants/${tenantId}/accounts/${WITH_BRAKE}`,
      key: admin,
      body: { regions: [LOCAL_REGION] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.frozen).toEqual(frozen.body.frozen);

    // Freezing again changes nothing: still one attachment, still frozen since the first time.
    const again = await post(WITH_BRAKE, "freeze", admin);
    expect(again.body.frozen).toEqual(frozen.body.frozen);
    expect((await attached(WITH_BRAKE)).filter((a) => a === brake(WITH_BRAKE))).toHaveLength(1);
  });

  it("unfreeze detaches it and sessions are brokered again, but no pre-freeze session revives", async () => {
    const thawed = await post(WITH_BRAKE, "unfreeze");
    expect(thawed.status).toBe(200);
    expect(thawed.body.frozen).toBeUndefined();
    expect(await attached(WITH_BRAKE)).not.toContain(brake(WITH_BRAKE));
    const fresh = await session(WITH_BRAKE);
    expect(fresh.status).toBe(201);
    // Not the cached pre-freeze credentials: the brake generation is part of the cache key.
    expect(fresh.body.credentials.accessKeyId).not.toBe(preFreeze.accessKeyId);
    expect(await canCall(fresh.body.credentials)).toEqual({ s3: true, iam: true });
    // The revocation boundary denies everything to sessions issued before the unfreeze.
    expect(await canCall(preFreeze)).toEqual({ s3: false, iam: false });
  });

  it("freeze and unfreeze again: the revocation moves on, the last fresh session stops at the freeze", async () => {
    const last = (await session(WITH_BRAKE)).body.credentials as Issued;
    expect((await post(WITH_BRAKE, "freeze")).status).toBe(200);
    expect(await canCall(last)).toEqual({ s3: false, iam: true });
    expect((await post(WITH_BRAKE, "unfreeze")).status).toBe(200);
    expect(await canCall(last)).toEqual({ s3: false, iam: false });
    expect(await canCall((await session(WITH_BRAKE)).body.credentials)).toEqual({
      s3: true,
      iam: true,
    });
  });

  it("a role without the option: a clear refusal, nothing attached, nothing marked", async () => {
    const before = await attached(WITHOUT_BRAKE);
    const res = await post(WITHOUT_BRAKE, "freeze");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("EMERGENCY_BRAKE_NOT_ENABLED");
    expect(await attached(WITHOUT_BRAKE)).toEqual(before);
    const account = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/${WITHOUT_BRAKE}`,
      key: admin,
    });
    expect(account.body.frozen).toBeUndefined();
    expect((await session(WITHOUT_BRAKE)).status).toBe(201);
  });

  it("every use of the brake is in the tenant's audit trail", async () => {
    const audit = await api({ method: "GET", path: `/v1/tenants/${tenantId}/audit`, key: admin });
    const brakeRecords = audit.body.items
      .filter((r: { action?: string }) => r.action === "FREEZE" || r.action === "UNFREEZE")
      .map((r: { accountId: string; action: string; outcome: string; code?: string }) => [
        r.accountId,
        r.action,
        r.outcome,
        r.code ?? null,
      ]);
    expect(brakeRecords.sort()).toEqual(
      [
        [WITH_BRAKE, "FREEZE", "APPLIED", null],
        [WITH_BRAKE, "FREEZE", "APPLIED", null],
        [WITH_BRAKE, "UNFREEZE", "RELEASED", null],
        [WITH_BRAKE, "FREEZE", "APPLIED", null],
        [WITH_BRAKE, "UNFREEZE", "RELEASED", null],
        [WITHOUT_BRAKE, "FREEZE", "REFUSED", "EMERGENCY_BRAKE_NOT_ENABLED"],
      ].sort(),
    );
  });

  it("only the control plane takes the brake off: a brokered session can neither detach it nor rewrite the boundary, before, during or after a freeze", async () => {
    // A permission set that allows every IAM action: what refuses is the role's own policy, whose
    // allow needs aws:SourceIdentity = control-plane, and no session policy can widen it.
    const breakerKey = await grantedService(admin, tenantId, "brake-breaker", "iam-everything", [
      "iam:*",
    ]);
    const issue = async () => {
      const res = await api({
        method: "POST",
        path: "/v1/sessions",
        key: breakerKey,
        body: { tenantId, accountId: WITH_BRAKE },
      });
      expect(res.status).toBe(201);
      return res.body.credentials as Issued;
    };
    const boundary = `arn:aws:iam::${WITH_BRAKE}:policy/control-plane/CrossAccountControlPlaneAccess-SessionRevocation`;
    const attempts = async ({ accessKeyId, secretAccessKey, sessionToken }: Issued) => {
      const client = new IAMClient({
        endpoint: process.env.AWS_ENDPOINT_URL,
        region: LOCAL_REGION,
        credentials: { accessKeyId, secretAccessKey, sessionToken },
      });
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => "done",
          (err: Error) => err.name,
        );
      return [
        await outcome(
          client.send(
            new DetachRolePolicyCommand({
              RoleName: "CrossAccountControlPlaneAccess",
              PolicyArn: brake(WITH_BRAKE),
            }),
          ),
        ),
        await outcome(
          client.send(
            new CreatePolicyVersionCommand({
              PolicyArn: boundary,
              PolicyDocument: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
              }),
              SetAsDefault: true,
            }),
          ),
        ),
      ];
    };
    const refused = ["AccessDenied", "AccessDenied"];
    const before = await issue();
    expect(await attempts(before)).toEqual(refused);

    expect((await post(WITH_BRAKE, "freeze")).status).toBe(200);
    expect(await attempts(before)).toEqual(refused);
    // Still frozen, in the account and in the control plane.
    expect(await attached(WITH_BRAKE)).toContain(brake(WITH_BRAKE));
    expect(await canCall(before)).toEqual({ s3: false, iam: true });

    expect((await post(WITH_BRAKE, "unfreeze")).status).toBe(200);
    const after = await issue();
    expect(await attempts(after)).toEqual(refused);
    expect(await attempts(before)).toEqual(refused);
    expect(await attached(WITH_BRAKE)).not.toContain(brake(WITH_BRAKE));
  });
});
