import { IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION } from "../../scripts/local-stack";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { seedKey, useFreshTable } from "../support/table";
import { CONTROL_PLANE_PATTERN, deployTenantStack, tenantAdmin } from "../support/tenant-account";

/**
 * The emergency brake on the emulator: tenant roles deployed from infra/tenant-role.yaml with and
 * without the option, frozen and unfrozen through the API, and the role's attached policies read
 * back in the tenant account with the tenant's own credentials.
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
  serviceKey = await grantedService(admin, tenantId, "braked-svc");
}, 60_000);

describe("emergency brake on the emulator", () => {
  it("freeze attaches the role's deny policy (read back in the account) and stops brokering", async () => {
    expect((await session(WITH_BRAKE)).status).toBe(201);
    expect(await attached(WITH_BRAKE)).not.toContain(brake(WITH_BRAKE));

    const frozen = await post(WITH_BRAKE, "freeze");
    expect(frozen.status).toBe(200);
    expect(frozen.body.frozen).toEqual({ at: expect.any(String), keyId: expect.any(String) });
    expect(await attached(WITH_BRAKE)).toContain(brake(WITH_BRAKE));

    const refused = await session(WITH_BRAKE);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("ACCOUNT_FROZEN");

    // Freezing again changes nothing: still one attachment, still frozen since the first time.
    const again = await post(WITH_BRAKE, "freeze", admin);
    expect(again.body.frozen).toEqual(frozen.body.frozen);
    expect((await attached(WITH_BRAKE)).filter((a) => a === brake(WITH_BRAKE))).toHaveLength(1);
  });

  it("unfreeze detaches it and sessions are brokered again", async () => {
    const thawed = await post(WITH_BRAKE, "unfreeze");
    expect(thawed.status).toBe(200);
    expect(thawed.body.frozen).toBeUndefined();
    expect(await attached(WITH_BRAKE)).not.toContain(brake(WITH_BRAKE));
    expect((await session(WITH_BRAKE)).status).toBe(201);
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
        [WITHOUT_BRAKE, "FREEZE", "REFUSED", "EMERGENCY_BRAKE_NOT_ENABLED"],
      ].sort(),
    );
  });
});
