import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { seedKey, useFreshTable } from "../support/table";
import { createRole, deleteRole, trustPolicy } from "../support/tenant-account";

/**
 * The session broker on the emulator: permission sets, grants, sessions whose credentials really
 * work in the tenant account (moto maps them to it), refusals, audit, and the cache.
 */
const READ_S3 = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" }],
};
const READ_EC2 = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }],
};

let admin: string;
let billing: string;
let reporter: string;
let tenantId: string;
let accountId: string;
let nextAccount = 800000000000;

async function newAccount(externalId: string, tenant = tenantId, regions?: string[]) {
  const id = String(nextAccount++);
  const roleArn = await createRole(id, "Access", trustPolicy(externalId));
  const res = await api({
    method: "POST",
    path: `/v1/tenants/${tenant}/accounts`,
    key: admin,
    body: { accountId: id, roleArn, ...(regions ? { regions } : {}) },
  });
  expect(res.status).toBe(201);
  return id;
}

function session(key: string, body: Record<string, unknown>) {
  return api({ method: "POST", path: "/v1/sessions", key, body });
}

async function audit(tenant = tenantId) {
  const res = await api({
    method: "GET",
    path: `/v1/tenants/${tenant}/audit`,
    key: admin,
    query: { limit: "100" },
  });
  expect(res.status).toBe(200);
  return res.body.items as Record<string, unknown>[];
}

beforeAll(async () => {
  const table = await useFreshTable("broker");
  admin = (await seedKey(table, { role: "admin" })).secret;
  billing = (await seedKey(table, { role: "service", service: "billing" })).secret;
  reporter = (await seedKey(table, { role: "service", service: "reporter" })).secret;
  const t = await api({
    method: "POST",
    path: "/v1/tenants",
    key: admin,
    body: { name: "Brokered" },
  });
  tenantId = t.body.tenantId;
  accountId = await newAccount(t.body.externalId, tenantId, ["us-east-1", "eu-west-1"]);
  for (const [name, policy] of [
    ["read-s3", READ_S3],
    ["read-ec2", READ_EC2],
  ] as const) {
    expect(
      (
        await api({
          method: "PUT",
          path: `/v1/permission-sets/${name}`,
          key: admin,
          body: { policy },
        })
      ).status,
    ).toBe(201);
  }
  const g = await api({
    method: "POST",
    path: "/v1/grants",
    key: admin,
    body: {
      service: "billing",
      tenantId,
      permissionSets: ["read-s3", "read-ec2"],
      maxDurationSeconds: 1800,
    },
  });
  expect(g.status).toBe(201);
  const r = await api({
    method: "POST",
    path: "/v1/grants",
    key: admin,
    body: { service: "reporter", tenantId: "*", permissionSets: ["read-s3"] },
  });
  expect(r.status).toBe(201);
});

describe("permission sets and grants", () => {
  it("replaces a permission set with 200 and reads it back as a document", async () => {
    const res = await api({
      method: "PUT",
      path: "/v1/permission-sets/read-s3",
      key: admin,
      body: { policy: READ_S3, description: "S3 read" },
    });
    expect(res.status).toBe(200);
    const read = await api({ method: "GET", path: "/v1/permission-sets/read-s3", key: admin });
    expect(read.body).toMatchObject({ name: "read-s3", policy: READ_S3, description: "S3 read" });
  });

  it.each([
    [
      "a Principal",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }],
      },
      "INVALID_POLICY",
    ],
    [
      "no Version",
      { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
      "INVALID_POLICY",
    ],
    [
      "a bad action",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "everything", Resource: "*" }],
      },
      "INVALID_POLICY",
    ],
    [
      "both Action and NotAction",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:*", NotAction: "iam:*", Resource: "*" }],
      },
      "INVALID_POLICY",
    ],
    [
      "more than 2,048 characters",
      {
        Version: "2012-10-17",
        Statement: Array.from({ length: 40 }, (_, i) => ({
          Sid: `S${i}`,
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::bucket-${i}/*`,
        })),
      },
      "POLICY_TOO_LARGE",
    ],
  ])("refuses a policy with %s", async (_name, policy, code) => {
    const res = await api({
      method: "PUT",
      path: "/v1/permission-sets/bad",
      key: admin,
      body: { policy },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect((await api({ method: "GET", path: "/v1/permission-sets/bad", key: admin })).status).toBe(
      404,
    );
  });

  it("refuses a grant naming an unknown permission set, and a second grant for the same pair", async () => {
    const unknown = await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service: "x1", tenantId, permissionSets: ["nope"] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("UNKNOWN_PERMISSION_SET");
    const dup = await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service: "billing", tenantId, permissionSets: ["read-s3"] },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("GRANT_EXISTS");
  });
});

describe("sessions", () => {
  it("issues working credentials into the tenant account, attributed to the service", async () => {
    const res = await session(billing, {
      tenantId,
      accountId,
      permissionSet: "read-s3",
      durationSeconds: 900,
    });
    expect(res.status).toBe(201);
    const { credentials, assumedRoleArn, sessionName } = res.body;
    expect(sessionName).toMatch(/^billing-[\w+=,.@-]+$/);
    expect(sessionName.length).toBeLessThanOrEqual(64);
    expect(assumedRoleArn).toBe(`arn:aws:sts::${accountId}:assumed-role/Access/${sessionName}`);
    expect(Date.parse(credentials.expiration)).toBeGreaterThan(Date.now() + 800_000);

    const sts = new STSClient({
      endpoint: process.env.AWS_ENDPOINT_URL,
      region: LOCAL_REGION,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(accountId);
    expect(identity.Arn).toBe(assumedRoleArn);
  });

  it("writes one audit record per request, without secrets", async () => {
    const before = (await audit()).length;
    const issued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await session(billing, {
        tenantId,
        accountId,
        permissionSet: "read-ec2",
        durationSeconds: 900,
      });
      expect(res.status).toBe(201);
      issued.push(res.body.credentials.secretAccessKey, res.body.credentials.sessionToken);
    }
    const records = await audit();
    expect(records.length).toBe(before + 3);
    const latest = records[0];
    expect(latest).toMatchObject({
      tenantId,
      accountId,
      service: "billing",
      outcome: "ISSUED",
      permissionSet: "read-ec2",
      durationSeconds: 900,
      sourceIdentity: "billing",
      region: "us-east-1",
    });
    expect(latest?.keyId).toMatch(/^key_/);
    const text = JSON.stringify(records);
    for (const secret of issued) expect(text).not.toContain(secret);
  });

  it("reuses cached credentials for the same key; other permission sets and services never share them", async () => {
    const a = await session(billing, {
      tenantId,
      accountId,
      permissionSet: "read-s3",
      durationSeconds: 1800,
    });
    const b = await session(billing, {
      tenantId,
      accountId,
      permissionSet: "read-s3",
      durationSeconds: 1800,
    });
    expect(b.body.credentials.accessKeyId).toBe(a.body.credentials.accessKeyId);
    expect((await audit())[0]?.cacheHit).toBe(true);
    const other = await session(billing, {
      tenantId,
      accountId,
      permissionSet: "read-ec2",
      durationSeconds: 1800,
    });
    expect(other.body.credentials.accessKeyId).not.toBe(a.body.credentials.accessKeyId);
    const otherService = await session(reporter, {
      tenantId,
      accountId,
      permissionSet: "read-s3",
      durationSeconds: 1800,
    });
    expect(otherService.body.credentials.accessKeyId).not.toBe(a.body.credentials.accessKeyId);
  });

  it("suspension refuses the next request even with a warm cache; resume restores it", async () => {
    const body = { tenantId, accountId, permissionSet: "read-s3", durationSeconds: 1200 };
    expect((await session(billing, body)).status).toBe(201);
    expect(
      (await api({ method: "POST", path: `/v1/tenants/${tenantId}/suspend`, key: admin })).body
        .suspended,
    ).toBe(true);
    const refused = await session(billing, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("TENANT_SUSPENDED");
    expect((await audit())[0]).toMatchObject({ outcome: "REFUSED", code: "TENANT_SUSPENDED" });
    expect(
      (await api({ method: "POST", path: `/v1/tenants/${tenantId}/resume`, key: admin })).body
        .suspended,
    ).toBe(false);
    expect((await session(billing, body)).status).toBe(201);
  });

  it("grant revocation and external-ID rotation act on the next request", async () => {
    const t = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Revoked" },
    });
    const acct = await newAccount(t.body.externalId, t.body.tenantId);
    const g = await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service: "billing", tenantId: t.body.tenantId, permissionSets: ["read-s3"] },
    });
    const body = { tenantId: t.body.tenantId, accountId: acct };
    const first = await session(billing, body);
    expect(first.status).toBe(201);

    await api({
      method: "POST",
      path: `/v1/tenants/${t.body.tenantId}/external-id/rotate`,
      key: admin,
    });
    const rotated = await session(billing, body);
    expect(rotated.status).toBe(201);
    expect(rotated.body.credentials.accessKeyId).not.toBe(first.body.credentials.accessKeyId);
    expect((await audit(t.body.tenantId))[0]?.cacheHit).toBe(false);

    expect(
      (await api({ method: "DELETE", path: `/v1/grants/${g.body.grantId}`, key: admin })).status,
    ).toBe(204);
    const revoked = await session(billing, body);
    expect(revoked.status).toBe(403);
    expect(revoked.body.error.code).toBe("NOT_GRANTED");
  });

  it.each([
    [
      "a service without a grant for the tenant",
      () => ({ key: "other", body: { tenantId, accountId } }),
      403,
      "NOT_GRANTED",
    ],
    [
      "an unknown tenant (wildcard grant)",
      () => ({ key: "reporter", body: { tenantId: "tnt_01m842avwd7nqry6k9nnr1wgjf", accountId } }),
      404,
      "TENANT_NOT_FOUND",
    ],
    [
      "an unknown account",
      () => ({
        key: "billing",
        body: { tenantId, accountId: "000000000000", permissionSet: "read-s3" },
      }),
      404,
      "ACCOUNT_NOT_FOUND",
    ],
    [
      "a duration above the grant",
      () => ({
        key: "billing",
        body: { tenantId, accountId, permissionSet: "read-s3", durationSeconds: 3600 },
      }),
      400,
      "DURATION_EXCEEDS_GRANT",
    ],
    [
      "a duration beyond role chaining",
      () => ({
        key: "billing",
        body: { tenantId, accountId, permissionSet: "read-s3", durationSeconds: 3601 },
      }),
      400,
      "INVALID_DURATION",
    ],
    [
      "a duration below STS's minimum",
      () => ({
        key: "billing",
        body: { tenantId, accountId, permissionSet: "read-s3", durationSeconds: 899 },
      }),
      400,
      "INVALID_DURATION",
    ],
    [
      "an unknown permission set",
      () => ({ key: "reporter", body: { tenantId, accountId, permissionSet: "missing" } }),
      400,
      "UNKNOWN_PERMISSION_SET",
    ],
    [
      "a permission set not granted",
      () => ({ key: "reporter", body: { tenantId, accountId, permissionSet: "read-ec2" } }),
      403,
      "NOT_GRANTED",
    ],
    [
      "no permission set when the grant has several",
      () => ({ key: "billing", body: { tenantId, accountId } }),
      400,
      "PERMISSION_SET_REQUIRED",
    ],
    [
      "a region not enabled for the account",
      () => ({
        key: "billing",
        body: { tenantId, accountId, permissionSet: "read-s3", region: "ap-south-1" },
      }),
      400,
      "REGION_NOT_ENABLED",
    ],
  ])("refuses %s, with its code, audited", async (_name, make, status, code) => {
    const { key, body } = make();
    const keyFor: Record<string, string> = {
      billing,
      reporter,
      other: (
        await seedKey(process.env.TABLE_NAME as string, { role: "service", service: "other-svc" })
      ).secret,
    };
    const res = await session(keyFor[key] as string, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (status !== 400 || code !== "INVALID_DURATION") {
      // A tenant that does not exist has no trail: the platform's has the refusal.
      const records =
        code === "TENANT_NOT_FOUND"
          ? (await api({ method: "GET", path: "/v1/audit", key: admin })).body.items
          : await audit(body.tenantId);
      expect(records[0]).toMatchObject({ outcome: "REFUSED", code });
    }
  });

  it("refuses an account that is not verified (409) and admin and tenant keys (403)", async () => {
    const t = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Broken" },
    });
    const acct = await newAccount(t.body.externalId, t.body.tenantId);
    await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service: "billing", tenantId: t.body.tenantId, permissionSets: ["read-s3"] },
    });
    await deleteRole(acct, "Access");
    expect(
      (
        await api({
          method: "POST",
          path: `/v1/tenants/${t.body.tenantId}/accounts/${acct}/verify`,
          key: admin,
        })
      ).status,
    ).toBe(422);
    const res = await session(billing, { tenantId: t.body.tenantId, accountId: acct });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ACCOUNT_UNAVAILABLE");
    expect((await session(admin, { tenantId, accountId })).status).toBe(403);
  });
});
