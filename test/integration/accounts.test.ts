import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { seedKey, snapshot, stateWithoutAudit, useFreshTable } from "../support/table";
import {
  CONTROL_PLANE_PATTERN,
  createRole,
  deleteRole,
  trustPolicy,
} from "../support/tenant-account";

/**
 * Manual registration against the emulator: roles are created in tenant accounts with the
 * trust policies of test/fixtures/trust-policies/cases.json, then registered through the API.
 * The emulator decides AssumeRole as IAM does (the trust policy, the negative probe); the
 * control plane's own lint of the policy catches what IAM lets through but is still too broad.
 */
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/trust-policies/cases.json"), "utf8"),
) as {
  cases: {
    name: string;
    expect: string | null;
    onAws?: string;
    iamRefuses?: string;
    policy: unknown;
  }[];
};

let table: string;
let admin: string;
let tenantId: string;
let externalId: string;
let nextAccount = 200000000000;
const freshAccount = () => String(nextAccount++);

function withExternalId(policy: unknown, id: string): unknown {
  return JSON.parse(JSON.stringify(policy).replaceAll("cpx-current", id));
}

async function register(body: unknown, key = admin) {
  return api({ method: "POST", path: `/v1/tenants/${tenantId}/accounts`, key, body });
}

beforeAll(async () => {
  table = await useFreshTable("accounts");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const tenant = await api({
    method: "POST",
    path: "/v1/tenants",
    key: admin,
    body: { name: "Onboarded" },
  });
  tenantId = tenant.body.tenantId;
  externalId = tenant.body.externalId;
});

describe("manual registration of roles (trust policies from the fixture file)", () => {
  // Every case but the previous external ID's, which needs a rotation (tested further down), and
  // those IAM does not store.
  const relevant = fixture.cases
    .filter((c) => !JSON.stringify(c.policy).includes("cpx-previous") && !c.iamRefuses)
    .map((c) => ({ ...c, code: c.onAws ?? c.expect }));
  const refused = fixture.cases.filter((c) => c.iamRefuses);

  it.each(refused)("$name: IAM refuses the role ($iamRefuses)", async ({ policy, iamRefuses }) => {
    await expect(
      createRole(freshAccount(), "Access", withExternalId(policy, externalId)),
    ).rejects.toMatchObject({ name: expect.stringMatching(new RegExp(`^${iamRefuses}`)) });
  });

  it.each(relevant)("$name → $code", async ({ policy, code }) => {
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", withExternalId(policy, externalId));
    const before = await stateWithoutAudit(table);
    const res = await register({ accountId, roleArn });
    if (code === null) {
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        tenantId,
        accountId,
        roleArn,
        status: "VERIFIED",
        partition: "aws",
        source: { kind: "api" },
      });
    } else {
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe(code);
      expect(await stateWithoutAudit(table)).toEqual(before);
      // Nothing changed, but the attempt and its outcome are on the tenant's trail.
      const trail = (await snapshot(table)).filter(
        (i) => i.includes('"PK":{"S":"AUDIT#') && i.includes(`"accountId":{"S":"${accountId}"}`),
      );
      expect(trail).toHaveLength(1);
      expect(trail[0]).toContain('"outcome":{"S":"FAILED"}');
      expect(trail[0]).toContain(`"code":{"S":"${code}"}`);
    }
  });
});

describe("registration input is checked before any AWS call", () => {
  it.each([
    [
      "an ARN of another account",
      { accountId: "300000000001", roleArn: "arn:aws:iam::300000000002:role/Access" },
      "ROLE_ARN_ACCOUNT_MISMATCH",
    ],
    [
      "an aws-cn role (another partition)",
      { accountId: "300000000001", roleArn: "arn:aws-cn:iam::300000000001:role/Access" },
      "PARTITION_MISMATCH",
    ],
    [
      "an aws-us-gov role (another partition)",
      { accountId: "300000000001", roleArn: "arn:aws-us-gov:iam::300000000001:role/Access" },
      "PARTITION_MISMATCH",
    ],
    [
      "a user instead of a role",
      { accountId: "300000000001", roleArn: "arn:aws:iam::300000000001:user/alice" },
      "INVALID_ROLE_ARN",
    ],
    [
      "an account ID as a number",
      { accountId: 300000000001, roleArn: "arn:aws:iam::300000000001:role/Access" },
      "INVALID_ACCOUNT_ID",
    ],
    [
      "an 11-digit account ID",
      { accountId: "30000000000", roleArn: "arn:aws:iam::30000000000:role/Access" },
      "INVALID_ACCOUNT_ID",
    ],
    [
      "an unknown region",
      {
        accountId: "300000000001",
        roleArn: "arn:aws:iam::300000000001:role/Access",
        regions: ["mars-1"],
      },
      "INVALID_REGION",
    ],
    [
      "a region of another partition",
      {
        accountId: "300000000001",
        roleArn: "arn:aws:iam::300000000001:role/Access",
        regions: ["cn-north-1"],
      },
      "INVALID_REGION",
    ],
  ])("%s → 400 %s, nothing stored", async (_name, body, code) => {
    const before = await stateWithoutAudit(table);
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await stateWithoutAudit(table)).toEqual(before);
  });
});

describe("the account lifecycle", () => {
  it("keeps a leading-zero account ID as a string, everywhere", async () => {
    const accountId = "012345678901";
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    const res = await register({ accountId, roleArn, regions: ["us-east-1", "eu-west-1"] });
    expect(res.status).toBe(201);
    expect(res.body.accountId).toBe("012345678901");
    const read = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/012345678901`,
      key: admin,
    });
    expect(read.body.accountId).toBe("012345678901");
    expect(read.body.regions).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("registering the same account again is idempotent: 200, one record", async () => {
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    expect((await register({ accountId, roleArn })).status).toBe(201);
    const again = await register({ accountId, roleArn });
    expect(again.status).toBe(200);
    expect(again.body.accountId).toBe(accountId);
    const items = (await snapshot(table)).filter((i) => i.includes(`"ACCOUNT#${accountId}"`));
    expect(items).toHaveLength(1);
  });

  it("a deleted role is ACCESS_DENIED at registration (IAM's answer), and on re-verification marks the account FAILED", async () => {
    const gone = freshAccount();
    const goneArn = await createRole(gone, "Access", trustPolicy(externalId));
    await deleteRole(gone, "Access");
    const res = await register({ accountId: gone, roleArn: goneArn });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("ACCESS_DENIED");

    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    expect((await register({ accountId, roleArn })).status).toBe(201);
    const ok = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}/verify`,
      key: admin,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe("VERIFIED");

    await deleteRole(accountId, "Access");
    const failed = await api({
      method: "POST",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}/verify`,
      key: admin,
    });
    expect(failed.status).toBe(422);
    expect(failed.body.error.code).toBe("ACCESS_DENIED");
    const read = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
      key: admin,
    });
    expect(read.body).toMatchObject({
      status: "FAILED",
      lastVerification: { code: "ACCESS_DENIED" },
    });
  });

  it("a role the lint might pass but AWS lets in without the external ID is refused because AWS let it in", async () => {
    // StringEqualsIfExists holds when the key is absent: the negative probe gets in.
    const accountId = freshAccount();
    const roleArn = await createRole(
      accountId,
      "Access",
      trustPolicy(externalId, {
        Condition: {
          StringEqualsIfExists: { "sts:ExternalId": externalId },
          ArnLike: { "aws:PrincipalArn": CONTROL_PLANE_PATTERN },
        },
      }),
    );
    const before = await stateWithoutAudit(table);
    const res = await register({ accountId, roleArn });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: "EXTERNAL_ID_NOT_REQUIRED",
      message: expect.stringContaining("AWS let the control plane assume the role"),
    });
    expect(await stateWithoutAudit(table)).toEqual(before);
  });

  it("registering again does not change settings: 409, and PATCH changes them after verifying", async () => {
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    expect((await register({ accountId, roleArn, regions: ["us-east-1"] })).status).toBe(201);
    const before = await stateWithoutAudit(table);
    const again = await register({ accountId, roleArn, regions: ["eu-west-1"] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ACCOUNT_SETTINGS_DIFFER");
    expect(await stateWithoutAudit(table)).toEqual(before);
    // The same settings in another order: a plain re-verification.
    expect((await register({ accountId, roleArn, regions: ["us-east-1"] })).status).toBe(200);

    const patch = (body: unknown) =>
      api({
        method: "PATCH",
        path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
        key: admin,
        body,
      });
    const changed = await patch({ regions: ["us-east-1", "eu-west-1"] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ regions: ["us-east-1", "eu-west-1"], status: "VERIFIED" });

    // A role that does not verify changes nothing.
    const unchanged = await stateWithoutAudit(table);
    const refused = await patch({ roleArn: `arn:aws:iam::${accountId}:role/Missing` });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("ACCESS_DENIED");
    expect(await stateWithoutAudit(table)).toEqual(unchanged);

    const unknown = await api({
      method: "PATCH",
      path: `/v1/tenants/${tenantId}/accounts/${freshAccount()}`,
      key: admin,
      body: { regions: ["us-east-1"] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("ACCOUNT_NOT_FOUND");
  });

  it("accepts the previous external ID during the rotation overlap", async () => {
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    expect((await register({ accountId, roleArn })).status).toBe(201);
    const other = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Rotating" },
    });
    const rotating = other.body.tenantId as string;
    const oldId = other.body.externalId as string;
    const acct = freshAccount();
    const arn = await createRole(acct, "Access", trustPolicy(oldId));
    await api({ method: "POST", path: `/v1/tenants/${rotating}/external-id/rotate`, key: admin });
    const res = await api({
      method: "POST",
      path: `/v1/tenants/${rotating}/accounts`,
      key: admin,
      body: { accountId: acct, roleArn: arn },
    });
    expect(res.status).toBe(201);
  });

  it("lists, reads and deletes accounts; a tenant key sees only its own tenant", async () => {
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(externalId));
    const tenantKey = (await seedKey(table, { role: "tenant", tenantId })).secret;
    expect((await register({ accountId, roleArn }, tenantKey)).status).toBe(201);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api({
        method: "GET",
        path: `/v1/tenants/${tenantId}/accounts`,
        key: tenantKey,
        query: { limit: "2", ...(nextToken ? { nextToken } : {}) },
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((a: { accountId: string }) => a.accountId));
      nextToken = page.body.nextToken;
    } while (nextToken);
    expect(seen).toContain(accountId);
    expect(seen).toEqual([...seen].sort());

    const otherTenant = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Nosy" },
    });
    const nosy = (await seedKey(table, { role: "tenant", tenantId: otherTenant.body.tenantId }))
      .secret;
    const peek = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
      key: nosy,
    });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe("TENANT_NOT_FOUND");

    const del = await api({
      method: "DELETE",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
      key: tenantKey,
    });
    expect(del.status).toBe(204);
    const after = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
      key: tenantKey,
    });
    expect(after.status).toBe(404);
    expect(after.body.error.code).toBe("ACCOUNT_NOT_FOUND");
  });

  it("deleting the tenant removes its accounts", async () => {
    const t = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Leaving" },
    });
    const accountId = freshAccount();
    const roleArn = await createRole(accountId, "Access", trustPolicy(t.body.externalId));
    await api({
      method: "POST",
      path: `/v1/tenants/${t.body.tenantId}/accounts`,
      key: admin,
      body: { accountId, roleArn },
    });
    await api({ method: "DELETE", path: `/v1/tenants/${t.body.tenantId}`, key: admin });
    const items = await snapshot(table);
    expect(
      items.filter((i) => i.includes(t.body.tenantId) && !i.includes('"PK":{"S":"AUDIT')),
    ).toEqual([]);
  });
});
