import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoApiKeyStore } from "../../../shared/adapters/dynamo-api-key-store";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { hashApiKey } from "../../../shared/domain/api-key";
import { UnauthenticatedError } from "../../../shared/errors";
import { ApiKeyService } from "../../../shared/services/api-key-service";
import { AuditTrail } from "../../../shared/services/audit-trail";
import { ManualClock, SequenceRandom } from "../../support/fakes";
import { MemoryAuditStore, testActor } from "../../support/memory";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const SECRET = "cpk_test-secret-value";
const item = {
  PK: `APIKEY#${hashApiKey(SECRET)}`,
  SK: "APIKEY",
  keyId: "key_1",
  role: "tenant",
  tenantId: "tnt_a",
  createdAt: "2026-11-23T09:00:00.000Z",
};

let clock: ManualClock;
function service(cacheTtlSeconds = 30) {
  return new ApiKeyService({
    keys: new DynamoApiKeyStore(doc, "t"),
    trail: new AuditTrail({ audit: new MemoryAuditStore(), clock: new ManualClock() }),
    clock,
    random: new SequenceRandom(),
    cacheTtlSeconds,
  });
}

beforeEach(() => {
  ddb.reset();
  clock = new ManualClock();
});

describe("ApiKeyService.authenticate", () => {
  it("looks the key up by the hash of the secret, never the secret", async () => {
    ddb.on(GetCommand).resolves({ Item: item });
    await expect(service().authenticate(SECRET)).resolves.toEqual({
      keyId: "key_1",
      role: "tenant",
      tenantId: "tnt_a",
    });
    const key = ddb.commandCalls(GetCommand)[0]?.args[0].input.Key;
    expect(key).toEqual({ PK: `APIKEY#${hashApiKey(SECRET)}`, SK: "APIKEY" });
    expect(JSON.stringify(ddb.calls().map((c) => c.args[0].input))).not.toContain(SECRET);
  });

  it("caches a verified key in the container until the TTL passes", async () => {
    ddb.on(GetCommand).resolves({ Item: item });
    const s = service(30);
    await s.authenticate(SECRET);
    clock.advance(29_000);
    await s.authenticate(SECRET);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    clock.advance(2_000);
    await s.authenticate(SECRET);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it("does not cache with a TTL of 0", async () => {
    ddb.on(GetCommand).resolves({ Item: item });
    const s = service(0);
    await s.authenticate(SECRET);
    await s.authenticate(SECRET);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it.each([
    ["no key", undefined, { Item: item }],
    ["an unknown key", SECRET, {}],
    ["a revoked key", SECRET, { Item: { ...item, revokedAt: "2026-11-23T09:30:00.000Z" } }],
  ])("refuses %s with 401", async (_case, secret, output) => {
    ddb.on(GetCommand).resolves(output);
    await expect(service().authenticate(secret)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("revocation through this container drops the key from its cache at once", async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: item })
      .resolves({ Item: { ...item, revokedAt: "2026-11-23T10:00:00.000Z" } });
    ddb.on(QueryCommand).resolves({ Items: [item] });
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: { ...item, revokedAt: "2026-11-23T10:00:00.000Z" } });
    const s = service(300);
    await s.authenticate(SECRET);
    await s.revoke("key_1", testActor());
    await expect(s.authenticate(SECRET)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("bounds the cache", async () => {
    ddb.on(GetCommand).callsFake((input) => ({ Item: { ...item, PK: input.Key.PK } }));
    const s = new ApiKeyService({
      keys: new DynamoApiKeyStore(doc, "t"),
      trail: new AuditTrail({ audit: new MemoryAuditStore(), clock: new ManualClock() }),
      clock,
      random: new SequenceRandom(),
      cacheTtlSeconds: 60,
      cacheMaxEntries: 2,
    });
    for (const secret of ["cpk_one-secret", "cpk_two-secret", "cpk_three-secret", "cpk_one-secret"])
      await s.authenticate(secret);
    // "one" was evicted when "three" arrived, so it was looked up twice.
    expect(ddb.commandCalls(GetCommand)).toHaveLength(4);
  });
});
