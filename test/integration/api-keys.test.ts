import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../shared/domain/api-key";
import { api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";

let table: string;
let admin: string;
let tenantId: string;

beforeAll(async () => {
  table = await useFreshTable("apikeys");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Keyed" } });
  tenantId = t.body.tenantId;
});

describe("API keys against the emulator", () => {
  it.each([
    { role: "admin" },
    { role: "tenant", tenantIdFrom: "tenant" },
    { role: "service", service: "billing-exporter" },
  ])(
    "creates a $role key whose secret is shown once and works",
    async ({ role, tenantIdFrom, service }) => {
      const body = { role, ...(tenantIdFrom ? { tenantId } : {}), ...(service ? { service } : {}) };
      const res = await api({ method: "POST", path: "/v1/api-keys", key: admin, body });
      expect(res.status).toBe(201);
      expect(res.body.apiKey).toMatch(/^cpk_[A-Za-z0-9_-]{43}$/);
      expect(res.body).toMatchObject({ role, keyId: expect.stringMatching(/^key_/) });

      // Stored only as a hash: the secret appears nowhere in the table.
      const items = (await snapshot(table)).join("\n");
      expect(items).not.toContain(res.body.apiKey);
      expect(items).toContain(hashApiKey(res.body.apiKey));

      // Listed without the secret.
      const list = await api({
        method: "GET",
        path: "/v1/api-keys",
        key: admin,
        query: { limit: "100" },
      });
      const listed = list.body.items.find((k: { keyId: string }) => k.keyId === res.body.keyId);
      expect(listed).toBeDefined();
      expect(listed.apiKey).toBeUndefined();
      expect(JSON.stringify(list.body)).not.toContain(res.body.apiKey);
    },
  );

  it("pages through every key by key ID: a nextToken carries no table key and no hash", async () => {
    for (let i = 0; i < 4; i++) {
      const res = await api({
        method: "POST",
        path: "/v1/api-keys",
        key: admin,
        body: { role: "service", service: `pager-${i}` },
      });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    const tokens: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api({
        method: "GET",
        path: "/v1/api-keys",
        key: admin,
        query: { limit: "2", ...(nextToken ? { nextToken } : {}) },
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((k: { keyId: string }) => k.keyId));
      nextToken = page.body.nextToken;
      if (nextToken) tokens.push(nextToken);
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const token of tokens) {
      // Sealed: <base64url JSON>.<base64url HMAC>, the JSON naming the list, a shard and a key ID.
      const [body, tag] = token.split(".") as [string, string];
      const decoded = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      expect(decoded.l).toBe("APIKEY");
      expect(Object.keys(decoded).every((k) => ["l", "s", "a"].includes(k))).toBe(true);
      if (decoded.a !== undefined) expect(decoded.a).toMatch(/^key_/);
      expect(Buffer.from(tag, "base64url")).toHaveLength(16);
      expect(token).not.toMatch(/APIKEY#|[0-9a-f]{64}/);
    }
    // The same position, re-sealed without the key: refused.
    const [body] = (tokens[0] as string).split(".");
    const forged = `${body}.${Buffer.alloc(16).toString("base64url")}`;
    const refused = await api({
      method: "GET",
      path: "/v1/api-keys",
      key: admin,
      query: { nextToken: forged },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("INVALID_NEXT_TOKEN");
  });

  it("revokes a key: the next request with it is 401, and it is listed as revoked", async () => {
    const created = await seedKey(table, { role: "tenant", tenantId });
    expect(
      (await api({ method: "GET", path: `/v1/tenants/${tenantId}`, key: created.secret })).status,
    ).toBe(200);

    const revoked = await api({
      method: "DELETE",
      path: `/v1/api-keys/${created.key.keyId}`,
      key: admin,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));

    const after = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}`,
      key: created.secret,
    });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHENTICATED");
  });

  it("answers 404 for revoking an unknown key and for a tenant key of an unknown tenant, changing nothing", async () => {
    const before = await snapshot(table);
    const unknownKey = await api({
      method: "DELETE",
      path: "/v1/api-keys/key_01m842avwd7nqry6k9nnr1wgjf",
      key: admin,
    });
    expect(unknownKey.status).toBe(404);
    expect(unknownKey.body.error.code).toBe("API_KEY_NOT_FOUND");
    const unknownTenant = await api({
      method: "POST",
      path: "/v1/api-keys",
      key: admin,
      body: { role: "tenant", tenantId: "tnt_01m842avwd7nqry6k9nnr1wgjf" },
    });
    expect(unknownTenant.status).toBe(404);
    expect(unknownTenant.body.error.code).toBe("TENANT_NOT_FOUND");
    expect(await snapshot(table)).toEqual(before);
  });

  it.each([
    [{ role: "tenant" }, "A tenant key needs a tenantId"],
    [{ role: "service" }, "A service key needs a service name"],
    [{ role: "admin", service: "billing" }, "An admin key takes neither tenantId nor service"],
    [
      { role: "service", service: "billing", tenantIdFrom: true },
      "A service key takes no tenantId",
    ],
  ])("rejects a key whose scope does not fit its role: %j", async (input, message) => {
    const { tenantIdFrom, ...rest } = input as Record<string, unknown>;
    const body = { ...rest, ...(tenantIdFrom ? { tenantId } : {}) };
    const before = await snapshot(table);
    const res = await api({ method: "POST", path: "/v1/api-keys", key: admin, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_KEY_SCOPE");
    expect(res.body.error.message).toContain(message);
    expect(await snapshot(table)).toEqual(before);
  });
});
