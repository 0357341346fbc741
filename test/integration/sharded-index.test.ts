import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { backfillIndex } from "../../ops/backfill-index";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { DynamoTenantStore } from "../../shared/adapters/dynamo-tenant-store";
import {
  accountIndexSortKey,
  indexKeys,
  indexShardCount,
  LEGACY_PARTITIONS,
  listingOptions,
  type ShardedList,
  sealCursor,
  shardPartition,
  staticCursorKey,
} from "../../shared/adapters/sharded-index";
import { keys } from "../../shared/adapters/table";
import type { Tenant } from "../../shared/domain/tenant";
import { dynamoClient } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { endpoint, seedKey, useFreshTable } from "../support/table";

/**
 * The sharded lists on the emulator: pages across shards through the API (the deployment's shard
 * count and the cursor key from Secrets Manager), the cursor's seal, and the backfill that moves a
 * table written before sharding (one index partition per list) onto the shards, resumably.
 */
let table: string;
let admin: string;
const doc = () => createDocumentClient(dynamoClient(endpoint()));

async function readAll(path: string, limit: number) {
  const ids: string[] = [];
  const tokens: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await api({
      method: "GET",
      path,
      key: admin,
      query: { limit: String(limit), ...(nextToken ? { nextToken } : {}) },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(
      ...res.body.items.map((i: { tenantId?: string; keyId?: string }) => i.tenantId ?? i.keyId),
    );
    nextToken = res.body.nextToken;
    if (nextToken) tokens.push(nextToken);
    pages += 1;
  } while (nextToken && pages < 100);
  return { ids, tokens, pages };
}

/** Tenants written by an older version (ids in the tenant id alphabet: no i, l, o or u). */
const OLD = "tnt_0bakf";
const tenant = (i: number): Tenant => ({
  tenantId: `${OLD}${String(i).padStart(21, "0")}`,
  name: `Legacy ${i}`,
  status: "ACTIVE",
  externalId: {
    current: `cpx-legacy-external-id-${String(i).padStart(20, "0")}`,
    currentSince: "2026-11-01T00:00:00.000Z",
  },
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  version: 1,
});

beforeAll(async () => {
  table = await useFreshTable("sharded");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

describe("sharded lists against the emulator", () => {
  const created: string[] = [];

  it("spreads 40 tenants over the shards and lists each once, pages of 7, in the same order twice", async () => {
    for (let i = 0; i < 40; i++) {
      const res = await api({
        method: "POST",
        path: "/v1/tenants",
        key: admin,
        body: { name: `S${i}` },
      });
      expect(res.status).toBe(201);
      created.push(res.body.tenantId);
    }
    const shards = indexShardCount();
    expect(shards).toBe(16);
    // Each tenant under the index key its id hashes to; at least half the shards hold one.
    const used = new Set<string>();
    for (const id of created) {
      const { GSI1PK } = indexKeys("TENANT", id, shards);
      const out = await doc().send(
        new QueryCommand({
          TableName: table,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk AND GSI1SK = :sk",
          ExpressionAttributeValues: { ":pk": GSI1PK, ":sk": id },
        }),
      );
      expect(out.Items).toHaveLength(1);
      used.add(GSI1PK);
    }
    expect(used.size).toBeGreaterThanOrEqual(8);

    const first = await readAll("/v1/tenants", 7);
    const second = await readAll("/v1/tenants", 7);
    expect([...first.ids].sort()).toEqual([...created].sort());
    expect(new Set(first.ids).size).toBe(40);
    expect(second.ids).toEqual(first.ids);
    expect(first.pages).toBeGreaterThanOrEqual(6);
    // Shard by shard, each shard in id order: the order the store promises.
    const order = [...created].sort((a, b) => {
      const sa = indexKeys("TENANT", a, shards).GSI1PK;
      const sb = indexKeys("TENANT", b, shards).GSI1PK;
      return sa === sb ? (a < b ? -1 : 1) : sa < sb ? -1 : 1;
    });
    const unsorted = await readAll("/v1/tenants", 7);
    expect(unsorted.ids).toEqual(order);
  });

  it("refuses a cursor that was altered, sealed with another key, or issued for another list", async () => {
    const { tokens } = await readAll("/v1/tenants", 7);
    const token = tokens[0] as string;
    const [body, tag] = token.split(".") as [string, string];
    const decoded = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const reencoded = (value: object) =>
      `${Buffer.from(JSON.stringify(value)).toString("base64url")}.${tag}`;
    const otherKey = staticCursorKey("another-key-that-is-long-enough-for-hmac");
    const cases: [string, string][] = [
      ["another shard, same seal", reencoded({ ...decoded, s: (decoded.s + 1) % 16 })],
      ["another position, same seal", reencoded({ ...decoded, a: "tnt_zzzz" })],
      ["another list, same seal", reencoded({ ...decoded, l: "APIKEY" })],
      ["no seal", body],
      ["an empty seal", `${body}.`],
      [
        "sealed with another key",
        sealCursor(await otherKey.key(), "TENANT", { shard: decoded.s, after: decoded.a }),
      ],
      ["three parts", `${token}.${tag}`],
      ["not base64", "%%%.%%%"],
      ["a seal of another length", `${body}.${tag}AAAA`],
    ];
    for (const [name, nextToken] of cases) {
      const res = await api({
        method: "GET",
        path: "/v1/tenants",
        key: admin,
        query: { nextToken },
      });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe("INVALID_NEXT_TOKEN");
    }
    // A tenants cursor given to the API keys list.
    const crossed = await api({
      method: "GET",
      path: "/v1/api-keys",
      key: admin,
      query: { nextToken: token },
    });
    expect(crossed.status).toBe(400);
    expect(crossed.body.error.code).toBe("INVALID_NEXT_TOKEN");
  });

  it("refuses a cursor of another shard count: a re-sharded list starts over", async () => {
    const key = staticCursorKey("a-test-cursor-key-of-enough-characters!");
    const store8 = new DynamoTenantStore(doc(), table, listingOptions(key, 8));
    const store4 = new DynamoTenantStore(doc(), table, listingOptions(key, 4));
    const cursor = sealCursor(await key.key(), "TENANT", { shard: 6 });
    await expect(store8.list({ limit: 5, cursor })).resolves.toBeDefined();
    await expect(store4.list({ limit: 5, cursor })).rejects.toMatchObject({
      code: "INVALID_NEXT_TOKEN",
    });
  });
});

describe("the permission sets' one index partition", () => {
  it("pages by name with an after-key cursor; a forged position is harmless, a malformed one a 400", async () => {
    const names = ["ps-a", "ps-b", "ps-c", "ps-d", "ps-e"];
    for (const name of names) {
      const res = await api({
        method: "PUT",
        path: `/v1/permission-sets/${name}`,
        key: admin,
        body: {
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
          },
        },
      });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await api({
        method: "GET",
        path: "/v1/permission-sets",
        key: admin,
        query: { limit: "2", ...(nextToken ? { nextToken } : {}) },
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { name: string }) => p.name));
      nextToken = res.body.nextToken;
    } while (nextToken);
    expect(seen).toEqual(names);
    // A hand-made position only skips names of the same list.
    const after = Buffer.from(JSON.stringify({ after: "ps-c" })).toString("base64url");
    const skipped = await api({
      method: "GET",
      path: "/v1/permission-sets",
      key: admin,
      query: { nextToken: after },
    });
    expect(skipped.body.items.map((p: { name: string }) => p.name)).toEqual(["ps-d", "ps-e"]);
    const malformed = Buffer.from(JSON.stringify({ after: 1, PK: "x" })).toString("base64url");
    const refused = await api({
      method: "GET",
      path: "/v1/permission-sets",
      key: admin,
      query: { nextToken: malformed },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("INVALID_NEXT_TOKEN");
  });
});

describe("the backfill (npm run backfill-index)", () => {
  const legacyTable = () => `${table}`;
  const checkpointFile = join(tmpdir(), `backfill-${process.pid}-${Date.now()}.json`);

  async function indexPartition(list: ShardedList, sortKey: string): Promise<string | undefined> {
    const out = await doc().send(
      new QueryCommand({
        TableName: legacyTable(),
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1SK = :sk AND GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": indexKeys(list, sortKey, 16).GSI1PK, ":sk": sortKey },
      }),
    );
    return out.Items?.[0]?.GSI1PK as string | undefined;
  }

  it("moves items written before sharding onto their shards, across a crash, and a second run writes nothing", async () => {
    // 60 tenants and 30 accounts as an older version wrote them: GSI1PK TENANT and ACCOUNT.
    for (let i = 0; i < 60; i++) {
      const t = tenant(i);
      await doc().send(
        new PutCommand({
          TableName: legacyTable(),
          Item: {
            ...keys.tenant(t.tenantId),
            GSI1PK: LEGACY_PARTITIONS.TENANT,
            GSI1SK: t.tenantId,
            type: "TENANT",
            recordVersion: 1,
            ...t,
          },
        }),
      );
    }
    for (let i = 0; i < 30; i++) {
      const t = tenant(i);
      const accountId = String(100000000000 + i);
      await doc().send(
        new PutCommand({
          TableName: legacyTable(),
          Item: {
            ...keys.account(t.tenantId, accountId),
            GSI1PK: LEGACY_PARTITIONS.ACCOUNT,
            GSI1SK: `${t.tenantId}#${accountId}`,
            type: "ACCOUNT",
            tenantId: t.tenantId,
            accountId,
          },
        }),
      );
    }
    // Before: the API does not list them (they are in no shard).
    const before = await readAll("/v1/tenants", 50);
    expect(before.ids.filter((id) => id.startsWith(OLD))).toEqual([]);

    rmSync(checkpointFile, { force: true });
    // A run that stops after 2 pages of 25 (a crash): the checkpoint keeps its place.
    const crashed = await backfillIndex({
      doc: doc(),
      tableName: legacyTable(),
      shards: 16,
      checkpointFile,
      pageSize: 25,
      maxPages: 2,
      writesPerSecond: 1000,
    });
    expect(crashed.finished).toBe(false);
    expect(crashed.pages).toBe(2);
    // A tenant the control plane rewrote meanwhile (with its sharded key) is found in place.
    const raced = tenant(59);
    const racedKey = indexKeys("TENANT", raced.tenantId, 16).GSI1PK;
    await doc().send(
      new UpdateCommand({
        TableName: legacyTable(),
        Key: keys.tenant(raced.tenantId),
        UpdateExpression: "SET GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": racedKey },
      }),
    );
    const resumed = await backfillIndex({
      doc: doc(),
      tableName: legacyTable(),
      shards: 16,
      checkpointFile,
      pageSize: 25,
      writesPerSecond: 1000,
    });
    expect(resumed.finished).toBe(true);
    expect(resumed.pages).toBeGreaterThan(2);
    expect(resumed.byList.TENANT).toBeGreaterThanOrEqual(100);
    expect(resumed.byList.ACCOUNT).toBe(30);
    for (let i = 0; i < 60; i++)
      expect(await indexPartition("TENANT", tenant(i).tenantId), `tenant ${i}`).toBe(
        indexKeys("TENANT", tenant(i).tenantId, 16).GSI1PK,
      );
    for (let i = 0; i < 30; i++) {
      // Accounts also move to their spread sort key.
      const sk = accountIndexSortKey(tenant(i).tenantId, String(100000000000 + i));
      expect(await indexPartition("ACCOUNT", sk)).toBe(indexKeys("ACCOUNT", sk, 16).GSI1PK);
    }
    // No legacy partition is left.
    for (const list of ["TENANT", "ACCOUNT"] as const) {
      const left = await doc().send(
        new QueryCommand({
          TableName: legacyTable(),
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": LEGACY_PARTITIONS[list] },
        }),
      );
      expect(left.Items).toEqual([]);
    }
    // Listed through the API now, each once.
    const after = await readAll("/v1/tenants", 50);
    expect(after.ids.filter((id) => id.startsWith(OLD)).sort()).toEqual(
      Array.from({ length: 60 }, (_, i) => tenant(i).tenantId),
    );
    expect(new Set(after.ids).size).toBe(after.ids.length);

    // A run after a finished pass is a new pass over the table: it moves nothing.
    const again = await backfillIndex({
      doc: doc(),
      tableName: legacyTable(),
      shards: 16,
      checkpointFile,
      writesPerSecond: 1000,
    });
    expect(again.finished).toBe(true);
    expect(again.moved).toBe(0);
    expect(again.changedMeanwhile).toBe(0);
    expect(again.inPlace).toBe(again.listed);
    rmSync(checkpointFile, { force: true });
  });

  it("re-shards: 16 to 4 shards and back, with the lists complete after each", async () => {
    const store4 = new DynamoTenantStore(
      doc(),
      legacyTable(),
      listingOptions(staticCursorKey("a-test-cursor-key-of-enough-characters!"), 4),
    );
    const moved = await backfillIndex({
      doc: doc(),
      tableName: legacyTable(),
      shards: 4,
      writesPerSecond: 2000,
    });
    expect(moved.moved).toBeGreaterThan(0);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store4.list({ limit: 30, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((t) => t.tenantId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.length).toBeGreaterThanOrEqual(100);
    expect(new Set(ids).size).toBe(ids.length);
    // Every tenant in shards 0 to 3 now; shards 4 to 15 are empty.
    let inFour = 0;
    for (let s = 0; s < 16; s++) {
      const left = await doc().send(
        new QueryCommand({
          TableName: legacyTable(),
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": shardPartition("TENANT", s) },
          Select: "COUNT",
        }),
      );
      if (s < 4) inFour += left.Count ?? 0;
      else expect(left.Count, `shard ${s}`).toBe(0);
    }
    expect(inFour).toBe(ids.length);
    const back = await backfillIndex({
      doc: doc(),
      tableName: legacyTable(),
      shards: 16,
      writesPerSecond: 2000,
    });
    expect(back.moved).toBe(moved.moved);
    expect((await readAll("/v1/tenants", 100)).ids.length).toBe(ids.length);
  });
});
