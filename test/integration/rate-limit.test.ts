import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { allItems, seedKey, useFreshTable } from "../support/table";

/**
 * Rate limits on the emulator, through the real handlers: per tenant on the routes that change its
 * accounts, organization or external ID; per service on POST /v1/sessions. Low limits for this
 * file only (read when the first handler runs).
 */
process.env.RATE_LIMIT_TENANT_WRITES_PER_MINUTE = "3";
process.env.RATE_LIMIT_SESSIONS_PER_MINUTE = "2";

let table: string;
let admin: string;

/** Requests of one test must fall in one window: start early in a minute. */
async function earlyInAMinute() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
}

const tenant = async (name: string) =>
  (await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } })).body
    .tenantId as string;
const link = (tenantId: string) =>
  api({
    method: "POST",
    path: `/v1/tenants/${tenantId}/onboarding-links`,
    key: admin,
    query: { region: "us-east-1" },
  });

beforeAll(async () => {
  table = await useFreshTable("rate-limit");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

describe("rate limits", () => {
  it("a tenant's changes over its limit get 429 RATE_LIMITED with Retry-After, and change nothing", async () => {
    const a = await tenant("Busy");
    const b = await tenant("Quiet");
    await earlyInAMinute();
    for (let i = 0; i < 3; i++) expect((await link(a)).status).toBe(201);
    const before = await allItems(table);
    const refused = await link(a);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Nothing changed: no token, no audit record, not even the counter.
    expect(await allItems(table)).toEqual(before);
    // Another tenant has its own budget.
    expect((await link(b)).status).toBe(201);
  });

  it("a tenant key that spends its tenant's budget on failing requests locks out only itself: each admin key has its own budget on that tenant", async () => {
    const t = await tenant("Noisy");
    const other = await tenant("Elsewhere");
    const tenantKey = (await seedKey(table, { role: "tenant", tenantId: t })).secret;
    const oncall = (await seedKey(table, { role: "admin" })).secret;
    const remove = (key: string, tenantId = t) =>
      api({ method: "DELETE", path: `/v1/tenants/${tenantId}/accounts/000000000000`, key });
    await earlyInAMinute();
    // The tenant's key spends the tenant's budget on requests that fail: they count.
    for (let i = 0; i < 3; i++) expect((await remove(tenantKey)).status).toBe(404);
    const locked = await remove(tenantKey);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("RATE_LIMITED");
    // The platform's operator still gets through on that tenant, failing and succeeding.
    expect((await remove(admin)).status).toBe(404);
    expect((await link(t)).status).toBe(201);
    // and the tenant's key is still refused: the admin's requests did not refill its budget.
    expect((await remove(tenantKey)).status).toBe(429);
    // An admin key's failed requests count against that key on that tenant, nobody else's.
    expect((await remove(admin)).status).toBe(404);
    expect((await remove(admin)).status).toBe(429);
    expect((await remove(oncall)).status).toBe(404);
    expect((await remove(admin, other)).status).toBe(404);
    // One counter per budget: the tenant's, and each admin key's on that tenant.
    const counters = (await allItems(table))
      .map((item) => JSON.parse(item) as { PK: { S: string }; count: { N: string } })
      .filter((item) => item.PK.S.startsWith(`RATE#`) && item.PK.S.includes(t))
      .map((item) => [item.PK.S.replace(/#key_\w+$/, "#<key>"), Number(item.count.N)])
      .sort();
    expect(counters).toEqual([
      [`RATE#admin#${t}#<key>`, 1],
      [`RATE#admin#${t}#<key>`, 3],
      [`RATE#tenant#${t}`, 3],
    ]);
  });

  it("sessions are limited per service; refused and malformed requests do not count", async () => {
    const t = await tenant("Brokered");
    const billing = (await seedKey(table, { role: "service", service: "billing" })).secret;
    const reporter = (await seedKey(table, { role: "service", service: "reporter" })).secret;
    const session = (key: string, body: unknown) =>
      api({ method: "POST", path: "/v1/sessions", key, body });
    const request = { tenantId: t, accountId: "111111111111" };
    await earlyInAMinute();
    // Malformed (400) and unauthenticated (401) requests are refused before they are counted.
    for (let i = 0; i < 3; i++) expect((await session(billing, { tenantId: 7 })).status).toBe(400);
    expect((await session("cpk_not-a-key", request)).status).toBe(401);
    // Well-formed ones count, whatever the broker then answers (here: no grant).
    for (let i = 0; i < 2; i++) expect((await session(billing, request)).status).not.toBe(429);
    const refused = await session(billing, request);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect(refused.headers["retry-after"]).toBeDefined();
    // Another service has its own budget.
    expect((await session(reporter, request)).status).not.toBe(429);
  });
});
