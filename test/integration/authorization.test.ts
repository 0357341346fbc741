import { beforeAll, describe, expect, it } from "vitest";
import type { ApiRequest } from "../support/api";
import { api } from "../support/api";
import { routes } from "../support/functions";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/**
 * Every route × every kind of caller → the expected status. A row per route, a column per caller;
 * anything not allowed here must be refused, and a refusal changes nothing in the table.
 */
type Caller =
  | "none"
  | "unknown"
  | "revoked"
  | "admin"
  | "ownTenant"
  | "otherTenant"
  | "service"
  | "grantedService";
const CALLERS: Caller[] = [
  "none",
  "unknown",
  "revoked",
  "admin",
  "ownTenant",
  "otherTenant",
  "service",
  "grantedService",
];

interface Ctx {
  tenantId: string;
  keyId: string;
  /** A registered account of the tenant. */
  accountId: string;
  /** An account with a role that trusts the tenant, not registered yet. */
  newAccount: { accountId: string; roleArn: string };
  /** Unique per target, for names that must not collide. */
  n: number;
  /** A permission set and a grant that exist only for this target. */
  permissionSet: string;
  grantId: string;
}

const U = 401;
const MATRIX: {
  name: string;
  request: (c: Ctx) => ApiRequest;
  expect: Record<Caller, number>;
  /** Error codes that differ from the default for their status. */
  codes?: Partial<Record<Caller, string>>;
}[] = [
  {
    name: "GET /v1/health",
    request: () => ({ method: "GET", path: "/v1/health" }),
    expect: {
      none: 200,
      unknown: 200,
      revoked: 200,
      admin: 200,
      ownTenant: 200,
      otherTenant: 200,
      service: 200,
      grantedService: 200,
    },
  },
  {
    name: "POST /v1/tenants",
    request: () => ({ method: "POST", path: "/v1/tenants", body: { name: "New" } }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/tenants",
    request: () => ({ method: "GET", path: "/v1/tenants" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/tenants/{tenantId}",
    request: (c) => ({ method: "GET", path: `/v1/tenants/${c.tenantId}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/external-id/rotate",
    request: (c) => ({ method: "POST", path: `/v1/tenants/${c.tenantId}/external-id/rotate` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "DELETE /v1/tenants/{tenantId}",
    request: (c) => ({ method: "DELETE", path: `/v1/tenants/${c.tenantId}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 204,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/api-keys",
    request: () => ({
      method: "POST",
      path: "/v1/api-keys",
      body: { role: "service", service: "reporter" },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/api-keys",
    request: () => ({ method: "GET", path: "/v1/api-keys" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "DELETE /v1/api-keys/{keyId}",
    request: (c) => ({ method: "DELETE", path: `/v1/api-keys/${c.keyId}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/onboarding-links",
    request: (c) => ({ method: "POST", path: `/v1/tenants/${c.tenantId}/onboarding-links` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 201,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/accounts",
    request: (c) => ({
      method: "POST",
      path: `/v1/tenants/${c.tenantId}/accounts`,
      body: c.newAccount,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 201,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/tenants/{tenantId}/accounts",
    request: (c) => ({ method: "GET", path: `/v1/tenants/${c.tenantId}/accounts` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/tenants/{tenantId}/accounts/{accountId}",
    request: (c) => ({
      method: "GET",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "DELETE /v1/tenants/{tenantId}/accounts/{accountId}",
    request: (c) => ({
      method: "DELETE",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 204,
      ownTenant: 204,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "PATCH /v1/tenants/{tenantId}/accounts/{accountId}",
    request: (c) => ({
      method: "PATCH",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}`,
      body: { regions: ["us-east-1"] },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/accounts/{accountId}/verify",
    request: (c) => ({
      method: "POST",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}/verify`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/suspend",
    request: (c) => ({ method: "POST", path: `/v1/tenants/${c.tenantId}/suspend` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/tenants/{tenantId}/resume",
    request: (c) => ({ method: "POST", path: `/v1/tenants/${c.tenantId}/resume` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "PUT /v1/permission-sets/{name}",
    request: (c) => ({
      method: "PUT",
      path: `/v1/permission-sets/new-${c.n}`,
      body: { policy: POLICY },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/permission-sets/{name}",
    request: (c) => ({ method: "GET", path: `/v1/permission-sets/${c.permissionSet}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "DELETE /v1/permission-sets/{name}",
    request: (c) => ({ method: "DELETE", path: `/v1/permission-sets/${c.permissionSet}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 204,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/permission-sets",
    request: () => ({ method: "GET", path: "/v1/permission-sets" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "POST /v1/grants",
    request: (c) => ({
      method: "POST",
      path: "/v1/grants",
      body: { service: `new-${c.n}`, tenantId: c.tenantId, permissionSets: ["matrix-read"] },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 201,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/grants",
    request: () => ({ method: "GET", path: "/v1/grants" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "DELETE /v1/grants/{grantId}",
    request: (c) => ({ method: "DELETE", path: `/v1/grants/${c.grantId}` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 204,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/whoami",
    request: () => ({ method: "GET", path: "/v1/whoami" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 200,
      service: 200,
      grantedService: 200,
    },
  },
  {
    name: "POST /v1/sessions",
    request: (c) => ({
      method: "POST",
      path: "/v1/sessions",
      body: { tenantId: c.tenantId, accountId: c.accountId },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 403,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 201,
    },
    codes: { service: "NOT_GRANTED" },
  },
  {
    name: "GET /v1/tenants/{tenantId}/audit",
    request: (c) => ({ method: "GET", path: `/v1/tenants/${c.tenantId}/audit` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/audit",
    request: () => ({ method: "GET", path: "/v1/audit" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
  {
    name: "GET /v1/tenants/{tenantId}/accounts/{accountId}/health",
    request: (c) => ({
      method: "GET",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}/health`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  // The target account's role was created without the emergency brake option.
  {
    name: "POST /v1/tenants/{tenantId}/accounts/{accountId}/freeze",
    request: (c) => ({
      method: "POST",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}/freeze`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 409,
      ownTenant: 409,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
    codes: { admin: "EMERGENCY_BRAKE_NOT_ENABLED", ownTenant: "EMERGENCY_BRAKE_NOT_ENABLED" },
  },
  {
    name: "POST /v1/tenants/{tenantId}/accounts/{accountId}/unfreeze",
    request: (c) => ({
      method: "POST",
      path: `/v1/tenants/${c.tenantId}/accounts/${c.accountId}/unfreeze`,
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 200,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
  },
  // Organizations: the target tenant has none connected, and the management account named here
  // has no role. Admin and the tenant get past authorization to those answers; the others never do.
  {
    name: "POST /v1/tenants/{tenantId}/organizations",
    request: (c) => ({
      method: "POST",
      path: `/v1/tenants/${c.tenantId}/organizations`,
      body: {
        managementAccountId: "940000000001",
        managementRoleArn: "arn:aws:iam::940000000001:role/Reader",
        memberRoleName: "Access",
      },
    }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 422,
      ownTenant: 422,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
    codes: { admin: "ACCESS_DENIED", ownTenant: "ACCESS_DENIED" },
  },
  {
    name: "GET /v1/tenants/{tenantId}/organizations",
    request: (c) => ({ method: "GET", path: `/v1/tenants/${c.tenantId}/organizations` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 404,
      ownTenant: 404,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
    codes: { admin: "ORGANIZATION_NOT_CONNECTED", ownTenant: "ORGANIZATION_NOT_CONNECTED" },
  },
  {
    name: "DELETE /v1/tenants/{tenantId}/organizations",
    request: (c) => ({ method: "DELETE", path: `/v1/tenants/${c.tenantId}/organizations` }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 404,
      ownTenant: 404,
      otherTenant: 404,
      service: 403,
      grantedService: 403,
    },
    codes: { admin: "ORGANIZATION_NOT_CONNECTED", ownTenant: "ORGANIZATION_NOT_CONNECTED" },
  },
  {
    name: "GET /v1/health-summary",
    request: () => ({ method: "GET", path: "/v1/health-summary" }),
    expect: {
      none: U,
      unknown: U,
      revoked: U,
      admin: 200,
      ownTenant: 403,
      otherTenant: 403,
      service: 403,
      grantedService: 403,
    },
  },
];

/** Every route the API serves has a row above: nothing is allowed or refused by accident. */
it("the matrix covers every route", () => {
  const covered = MATRIX.map((row) => row.name).sort();
  expect(covered).toEqual(
    Object.values(routes)
      .map((r) => `${r.method} ${r.path}`)
      .sort(),
  );
});

const POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
};

let table: string;
let targets = 0;
let nextAccount = 700000000000;
let shared: Awaited<ReturnType<typeof freshTarget>> | undefined;
const keys = {} as Record<Exclude<Caller, "none">, string>;

/** A fresh target per case, so that allowed deletions and revocations do not disturb other cases. */
async function freshTarget(): Promise<{ ctx: Ctx; ownKey: string }> {
  const t = await api({
    method: "POST",
    path: "/v1/tenants",
    key: keys.admin,
    body: { name: "Target" },
  });
  const own = await seedKey(table, { role: "tenant", tenantId: t.body.tenantId });
  const victim = await seedKey(table, { role: "service", service: "victim" });
  const registered = String(nextAccount++);
  const registeredArn = await createRole(registered, "Access", trustPolicy(t.body.externalId));
  await api({
    method: "POST",
    path: `/v1/tenants/${t.body.tenantId}/accounts`,
    key: keys.admin,
    body: { accountId: registered, roleArn: registeredArn },
  });
  const fresh = String(nextAccount++);
  const freshArn = await createRole(fresh, "Access", trustPolicy(t.body.externalId));
  targets += 1;
  const n = targets;
  await api({
    method: "PUT",
    path: `/v1/permission-sets/target-${n}`,
    key: keys.admin,
    body: { policy: POLICY },
  });
  const grant = await api({
    method: "POST",
    path: "/v1/grants",
    key: keys.admin,
    body: { service: `victim-${n}`, tenantId: t.body.tenantId, permissionSets: [`target-${n}`] },
  });
  return {
    ctx: {
      tenantId: t.body.tenantId,
      keyId: victim.key.keyId,
      accountId: registered,
      newAccount: { accountId: fresh, roleArn: freshArn },
      n,
      permissionSet: `target-${n}`,
      grantId: grant.body.grantId,
    },
    ownKey: own.secret,
  };
}

beforeAll(async () => {
  table = await useFreshTable("authz");
  keys.admin = (await seedKey(table, { role: "admin" })).secret;
  const other = await api({
    method: "POST",
    path: "/v1/tenants",
    key: keys.admin,
    body: { name: "Other" },
  });
  keys.otherTenant = (
    await seedKey(table, { role: "tenant", tenantId: other.body.tenantId })
  ).secret;
  keys.service = (await seedKey(table, { role: "service", service: "billing" })).secret;
  keys.grantedService = (await seedKey(table, { role: "service", service: "granted-svc" })).secret;
  await api({
    method: "PUT",
    path: "/v1/permission-sets/matrix-read",
    key: keys.admin,
    body: { policy: POLICY },
  });
  await api({
    method: "POST",
    path: "/v1/grants",
    key: keys.admin,
    body: { service: "granted-svc", tenantId: "*", permissionSets: ["matrix-read"] },
  });
  keys.unknown = `cpk_${"A".repeat(43)}`;
  const revoked = await seedKey(table, { role: "admin" });
  await api({ method: "DELETE", path: `/v1/api-keys/${revoked.key.keyId}`, key: keys.admin });
  keys.revoked = revoked.secret;
});

const cases = MATRIX.flatMap((row) =>
  CALLERS.map((caller) => ({
    ...row,
    caller,
    status: row.expect[caller],
    code: row.codes?.[caller],
  })),
);

describe("authorization matrix", () => {
  it.each(cases)("$name as $caller → $status", async ({ request, caller, status, code }) => {
    // Allowed requests may change their target, so they get a fresh one; refusals are proven to
    // change nothing, so they share one.
    if (status >= 400 && shared === undefined) shared = await freshTarget();
    const { ctx, ownKey } =
      status < 400 ? await freshTarget() : (shared as Awaited<ReturnType<typeof freshTarget>>);
    const key = caller === "none" ? undefined : caller === "ownTenant" ? ownKey : keys[caller];
    // Refusals leave the table as it was, but for the audit trail of refused session requests.
    const state = async () =>
      (await snapshot(table)).filter((item) => !item.includes('"PK":{"S":"AUDIT'));
    const before = await state();
    const res = await api({ ...request(ctx), ...(key ? { key } : {}) });
    expect(res.status).toBe(status);
    if (status >= 400) {
      expect(res.body.error.code).toBe(
        code ?? { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "TENANT_NOT_FOUND" }[status],
      );
      expect(await state()).toEqual(before);
    }
  });
});
