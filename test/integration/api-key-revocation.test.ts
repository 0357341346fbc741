import { beforeAll, describe, expect, it } from "vitest";
import { DynamoApiKeyStore } from "../../shared/adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../../shared/adapters/dynamo-audit-store";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { cryptoRandom, systemClock } from "../../shared/adapters/system";
import { systemActor } from "../../shared/domain/audit";
import { ApiKeyService } from "../../shared/services/api-key-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { dynamoClient } from "../../tools/local-aws/local-stack";
import { type ApiRequest, api } from "../support/api";
import { endpoint, seedKey, snapshot, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/**
 * Issue #26, point 3: a key revoked through another Lambda container. The handlers of this file
 * run in one process and share one ApiKeyService, as the functions of one warm container would, and
 * its key cache is on (the other suites switch it off). The revocation goes through a separate
 * ApiKeyService instance on the same table: another container, whose revocation cannot drop this
 * one's cache entry.
 */
process.env.API_KEY_CACHE_TTL_SECONDS = "300";

let table: string;
let admin: string;
let tenantId: string;
let accountId: string;
let spareGrantId: string;

/** Another container: its own ApiKeyService (and cache) on the same table. */
function otherContainer(): ApiKeyService {
  const doc = createDocumentClient(dynamoClient(endpoint()));
  return new ApiKeyService({
    keys: new DynamoApiKeyStore(doc, table),
    trail: new AuditTrail({ audit: new DynamoAuditStore(doc, table, 3600), clock: systemClock }),
    clock: systemClock,
    random: cryptoRandom,
    cacheTtlSeconds: 300,
  });
}

async function revokeElsewhere(keyId: string): Promise<void> {
  await otherContainer().revoke(keyId, systemActor("revoke-elsewhere", "test-other-container"));
}

function whoami(key: string) {
  return api({ method: "GET", path: "/v1/whoami", key });
}

function session(key: string) {
  return api({
    method: "POST",
    path: "/v1/sessions",
    key,
    body: { tenantId, accountId, durationSeconds: 900 },
  });
}

beforeAll(async () => {
  table = await useFreshTable("keyrevocation");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({
    method: "POST",
    path: "/v1/tenants",
    key: admin,
    body: { name: "Revoked" },
  });
  expect(t.status).toBe(201);
  tenantId = t.body.tenantId;
  accountId = "660000000001";
  const roleArn = await createRole(accountId, "Access", trustPolicy(t.body.externalId));
  const account = await api({
    method: "POST",
    path: `/v1/tenants/${tenantId}/accounts`,
    key: admin,
    body: { accountId, roleArn },
  });
  expect(account.status).toBe(201);
  const policy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
  };
  const set = await api({
    method: "PUT",
    path: "/v1/permission-sets/revocation-read",
    key: admin,
    body: { policy },
  });
  expect(set.status).toBe(201);
  for (const service of ["billing", "spare"]) {
    const grant = await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service, tenantId, permissionSets: ["revocation-read"] },
    });
    expect(grant.status).toBe(201);
    if (service === "spare") spareGrantId = grant.body.grantId;
  }
});

describe("a key revoked through another container", () => {
  it("gets no session on the very next request, though a read may pass from the cache until its TTL", async () => {
    const { key, secret } = await seedKey(table, { role: "service", service: "billing" });
    // Verified once here: cached in this container for 300 s.
    expect((await whoami(secret)).status).toBe(200);
    expect((await session(secret)).status).toBe(201);

    await revokeElsewhere(key.keyId);

    // A read within the cache window is still answered (the documented window, and the proof
    // that this container did cache the key).
    expect((await whoami(secret)).status).toBe(200);
    // Issuing credentials reads the key's record, consistently: refused at once.
    const refused = await session(secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("UNAUTHENTICATED");
    // And having seen the revocation, this container no longer trusts its cached entry.
    expect((await whoami(secret)).status).toBe(401);

    const trail = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/audit`,
      key: admin,
      query: { limit: "100" },
    });
    const issued = (trail.body.items as { action: string; keyId?: string }[]).filter(
      (r) => r.keyId === key.keyId && r.action.startsWith("SESSION"),
    );
    expect(issued).toHaveLength(1);
  });

  // Every method that changes state, for the roles that may use it; each request would succeed
  // with a key that is not revoked.
  const cases: [string, "admin" | "tenant", () => ApiRequest][] = [
    [
      "an admin key creating a key (POST)",
      "admin",
      () => ({ method: "POST", path: "/v1/api-keys", body: { role: "admin" } }),
    ],
    [
      "an admin key changing a permission set (PUT)",
      "admin",
      () => ({
        method: "PUT",
        path: "/v1/permission-sets/revoked-set",
        body: {
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
          },
        },
      }),
    ],
    [
      "an admin key deleting a grant (DELETE)",
      "admin",
      () => ({ method: "DELETE", path: `/v1/grants/${spareGrantId}` }),
    ],
    [
      "a tenant key changing an account's regions (PATCH)",
      "tenant",
      () => ({
        method: "PATCH",
        path: `/v1/tenants/${tenantId}/accounts/${accountId}`,
        body: { regions: ["us-east-1", "eu-west-1"] },
      }),
    ],
    [
      "a tenant key rotating the external ID (POST)",
      "tenant",
      () => ({ method: "POST", path: `/v1/tenants/${tenantId}/external-id/rotate` }),
    ],
  ];

  it.each(cases)("is refused with 401 at once, changing nothing: %s", async (_, role, request) => {
    const { key, secret } = await seedKey(
      table,
      role === "tenant" ? { role, tenantId } : { role: "admin" },
    );
    expect((await whoami(secret)).status).toBe(200);
    await revokeElsewhere(key.keyId);
    const before = await snapshot(table);
    const res = await api({ ...request(), key: secret });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHENTICATED");
    expect(await snapshot(table)).toEqual(before);
  });
});
