import { beforeEach, describe, expect, it } from "vitest";
import { type ApiKey, hashApiKey } from "../../../shared/domain/api-key";
import { UnauthenticatedError } from "../../../shared/errors";
import { ApiKeyService } from "../../../shared/services/api-key-service";
import { AuditTrail } from "../../../shared/services/audit-trail";
import { ManualClock, SequenceRandom } from "../../support/fakes";
import { MemoryApiKeyStore, MemoryAuditStore, testActor } from "../../support/memory";

const SECRET = "cpk_test-secret-value";
const KEY: ApiKey = {
  keyId: "key_1",
  role: "tenant",
  tenantId: "tnt_a",
  createdAt: "2026-11-23T09:00:00.000Z",
};

let clock: ManualClock;
let keys: MemoryApiKeyStore;
let audit: MemoryAuditStore;
function service(cacheTtlSeconds = 30, cacheMaxEntries?: number) {
  return new ApiKeyService({
    keys,
    trail: new AuditTrail({ audit, clock }),
    clock,
    random: new SequenceRandom(),
    cacheTtlSeconds,
    ...(cacheMaxEntries === undefined ? {} : { cacheMaxEntries }),
  });
}

beforeEach(async () => {
  clock = new ManualClock();
  keys = new MemoryApiKeyStore();
  audit = new MemoryAuditStore();
  await keys.create(KEY, hashApiKey(SECRET));
});

describe("ApiKeyService.authenticate", () => {
  it("looks the key up by the hash of the secret, never the secret", async () => {
    await expect(service().authenticate(SECRET)).resolves.toEqual({
      keyId: "key_1",
      role: "tenant",
      tenantId: "tnt_a",
    });
    expect(keys.lookups).toEqual([hashApiKey(SECRET)]);
    expect(keys.lookups.join()).not.toContain(SECRET);
  });

  it("answers a read that allows the cache from it until the TTL passes", async () => {
    const s = service(30);
    await s.authenticate(SECRET, { allowCached: true });
    clock.advance(29_000);
    await s.authenticate(SECRET, { allowCached: true });
    expect(keys.lookups).toHaveLength(1);
    clock.advance(2_000);
    await s.authenticate(SECRET, { allowCached: true });
    expect(keys.lookups).toHaveLength(2);
  });

  it.each([
    ["without options", undefined],
    ["with allowCached false", { allowCached: false }],
  ])("reads the key on every request %s, cached or not", async (_case, options) => {
    const s = service(300);
    await s.authenticate(SECRET, { allowCached: true });
    await s.authenticate(SECRET, options);
    await s.authenticate(SECRET, options);
    expect(keys.lookups).toHaveLength(3);
  });

  it("refuses a key revoked through another container at once where the cache is not allowed", async () => {
    const here = service(300);
    const elsewhere = service(300);
    await here.authenticate(SECRET, { allowCached: true });
    await elsewhere.revoke("key_1", testActor());
    clock.advance(1_000);
    // A read may still pass from this container's cache (the documented window)...
    await expect(here.authenticate(SECRET, { allowCached: true })).resolves.toMatchObject({
      keyId: "key_1",
    });
    // ...a request that changes state reads the record, and is refused,
    await expect(here.authenticate(SECRET)).rejects.toBeInstanceOf(UnauthenticatedError);
    // and from then on this container's reads are refused too.
    await expect(here.authenticate(SECRET, { allowCached: true })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
  });

  it("trusts a cached entry for reads no longer than the TTL after its record was read", async () => {
    const here = service(30);
    await here.authenticate(SECRET, { allowCached: true });
    await service(30).revoke("key_1", testActor());
    clock.advance(29_999);
    await here.authenticate(SECRET, { allowCached: true });
    clock.advance(1);
    await expect(here.authenticate(SECRET, { allowCached: true })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
  });

  it("refreshes the cached entry from a read of the record", async () => {
    const s = service(30);
    await s.authenticate(SECRET, { allowCached: true });
    clock.advance(20_000);
    await s.authenticate(SECRET);
    expect(keys.lookups).toHaveLength(2);
    clock.advance(20_000);
    // 40 s after the first read, 20 s after the second: still cached.
    await s.authenticate(SECRET, { allowCached: true });
    expect(keys.lookups).toHaveLength(2);
  });

  it("does not cache with a TTL of 0", async () => {
    const s = service(0);
    await s.authenticate(SECRET, { allowCached: true });
    await s.authenticate(SECRET, { allowCached: true });
    expect(keys.lookups).toHaveLength(2);
  });

  it.each([
    ["no key", undefined],
    ["an unknown key", "cpk_unknown-secret"],
  ])("refuses %s with 401", async (_case, secret) => {
    await expect(service().authenticate(secret)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("refuses a revoked key with 401", async () => {
    await keys.revoke("key_1", "2026-11-23T09:30:00.000Z");
    await expect(service().authenticate(SECRET)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("revocation through this container drops the key from its cache at once", async () => {
    const s = service(300);
    await s.authenticate(SECRET, { allowCached: true });
    await s.revoke("key_1", testActor());
    await expect(s.authenticate(SECRET, { allowCached: true })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
  });

  it("bounds the cache", async () => {
    const s = service(60, 2);
    for (const [i, secret] of ["cpk_one-secret", "cpk_two-secret", "cpk_three-secret"].entries())
      await keys.create({ ...KEY, keyId: `key_${i + 2}` }, hashApiKey(secret));
    for (const secret of ["cpk_one-secret", "cpk_two-secret", "cpk_three-secret", "cpk_one-secret"])
      await s.authenticate(secret, { allowCached: true });
    // "one" was evicted when "three" arrived, so it was looked up twice.
    expect(keys.lookups).toHaveLength(4);
  });
});

describe("ApiKeyService changes", () => {
  it("records a key's creation and its first revocation in the platform's trail, never its secret", async () => {
    const s = service();
    const { key, secret } = await s.create(
      { role: "service", service: "billing" },
      testActor("req-1", "key_admin"),
    );
    await s.revoke(key.keyId, testActor("req-2", "key_admin"));
    await s.revoke(key.keyId, testActor("req-3", "key_admin")); // already revoked: no change
    const trail = await audit.listPlatform({ limit: 10 });
    expect(trail.items.map((r) => [r.action, r.target, r.requestId])).toEqual([
      ["API_KEY_REVOKE", key.keyId, "req-2"],
      ["API_KEY_CREATE", key.keyId, "req-1"],
    ]);
    expect(JSON.stringify(audit.records)).not.toContain(secret);
    expect(JSON.stringify(audit.records)).not.toContain(hashApiKey(secret));
  });
});
