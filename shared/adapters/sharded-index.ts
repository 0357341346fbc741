import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ConfigError, intEnv } from "../config";
import { BadRequestError } from "../errors";
import type { CursorKey, Page, PageRequest } from "../ports/common";
import { rethrowDynamo } from "./dynamo-errors";
import { TABLE_KEYS } from "./table";

/**
 * The lists that grow with the number of customers, each spread over a fixed number of index
 * partitions (shards) so that none of them is one hot DynamoDB partition: an item's GSI1PK is
 * `INDEX#<list>#<shard>`, its shard a hash of its index sort key (GSI1SK, unique in the list), so
 * one item is found in one Query and writes spread evenly whatever the ids look like.
 *
 * Lists are read shard after shard, each shard in sort-key order: a stable order, the same on
 * every read. The cursor names the shard and the last sort key read, sealed with an HMAC under a
 * key only the control plane holds: a client cannot forge or alter one, and a cursor of one list
 * is refused by another.
 */
export const SHARDED_LISTS = ["TENANT", "ACCOUNT", "APIKEY", "GRANT", "ORG"] as const;
export type ShardedList = (typeof SHARDED_LISTS)[number];

/** The index partitions of lists that predate sharding (one constant per list), and backfill's. */
export const LEGACY_PARTITIONS: Record<ShardedList, string> = {
  TENANT: "TENANT",
  ACCOUNT: "ACCOUNT",
  APIKEY: "APIKEY",
  GRANT: "GRANT",
  ORG: "ORG",
};

export const DEFAULT_INDEX_SHARDS = 16;
/** Above this, a page of a sparse list would take too many Queries (one per empty shard). */
export const MAX_INDEX_SHARDS = 256;

/** The deployment's shard count (INDEX_SHARDS): fixed; changing it needs the backfill. */
export function indexShardCount(env: Record<string, string | undefined> = process.env): number {
  return intEnv("INDEX_SHARDS", DEFAULT_INDEX_SHARDS, { min: 1, max: MAX_INDEX_SHARDS }, env);
}

export function shardOf(sortKey: string, shards: number): number {
  return createHash("sha256").update(sortKey).digest().readUInt32BE(0) % shards;
}

export function shardPartition(list: ShardedList, shard: number): string {
  return `INDEX#${list}#${String(shard).padStart(3, "0")}`;
}

/** The index attributes of an item of `list` with index sort key `sortKey`. */
export function indexKeys(list: ShardedList, sortKey: string, shards: number) {
  return { GSI1PK: shardPartition(list, shardOf(sortKey, shards)), GSI1SK: sortKey };
}

/**
 * An account's index sort key: `<spread>#<tenantId>#<accountId>`, `spread` four hex digits of a
 * hash of the account. In tenant order, a tenant's accounts would be side by side in every shard,
 * and the sweep's workers, reading their shards at the same pace, would all reach a large tenant
 * at once: thousands of writes a second on that tenant's partition (bench/heat.ts). Spread, a
 * tenant's accounts come up evenly over the whole sweep.
 */
export function accountIndexSortKey(tenantId: string, accountId: string): string {
  const spread = createHash("sha256").update(`${tenantId}#${accountId}`).digest("hex").slice(0, 4);
  return `${spread}#${tenantId}#${accountId}`;
}

/**
 * The index attributes an item of `list` should have: from its ids for accounts, else from its
 * index sort key (unique in the list). Backfill compares them with what the item has.
 */
export function desiredIndexKeys(
  list: ShardedList,
  item: Record<string, unknown>,
  shards: number,
): { GSI1PK: string; GSI1SK: string } {
  if (list === "ACCOUNT" && typeof item.tenantId === "string" && typeof item.accountId === "string")
    return indexKeys(list, accountIndexSortKey(item.tenantId, item.accountId), shards);
  return indexKeys(list, String(item.GSI1SK), shards);
}

/** Which list an index partition belongs to (sharded or legacy), if any. */
export function listOfPartition(partition: string): ShardedList | undefined {
  for (const list of SHARDED_LISTS) {
    if (partition === LEGACY_PARTITIONS[list]) return list;
    if (/^INDEX#[A-Z]+#\d{3,4}$/.test(partition) && partition.split("#")[1] === list) return list;
  }
  return undefined;
}

// ---- Cursors ----------------------------------------------------------------------------------

export interface ShardPosition {
  shard: number;
  /** The last index sort key read in that shard; absent at the shard's start. */
  after?: string;
}

const invalidCursor = () =>
  new BadRequestError("INVALID_NEXT_TOKEN", "nextToken is not a token this list issued");

const MAC_BYTES = 16;

function mac(key: Uint8Array, body: string): Buffer {
  return createHmac("sha256", key).update(`cursor.v1.${body}`).digest().subarray(0, MAC_BYTES);
}

/** `<base64url JSON>.<base64url HMAC>`: the position in `list`, sealed under `key`. */
export function sealCursor(key: Uint8Array, list: ShardedList, position: ShardPosition): string {
  const body = Buffer.from(
    JSON.stringify({
      l: list,
      s: position.shard,
      ...(position.after ? { a: position.after } : {}),
    }),
    "utf8",
  ).toString("base64url");
  return `${body}.${mac(key, body).toString("base64url")}`;
}

/** The position a cursor of `list` names, or 400 INVALID_NEXT_TOKEN for anything else. */
export function openCursor(
  key: Uint8Array,
  list: ShardedList,
  shards: number,
  cursor: string,
): ShardPosition {
  if (cursor.length > 2048) throw invalidCursor();
  const [body, tag, ...rest] = cursor.split(".");
  if (body === undefined || tag === undefined || rest.length > 0) throw invalidCursor();
  const presented = Buffer.from(tag, "base64url");
  const expected = mac(key, body);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const p = parsed as { l?: unknown; s?: unknown; a?: unknown };
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    p.l !== list ||
    typeof p.s !== "number" ||
    !Number.isInteger(p.s) ||
    p.s < 0 ||
    // A cursor issued under another shard count (before a re-sharding) is refused, not misread.
    p.s >= shards ||
    (p.a !== undefined && (typeof p.a !== "string" || p.a.length === 0 || p.a.length > 1024))
  ) {
    throw invalidCursor();
  }
  return { shard: p.s, ...(typeof p.a === "string" ? { after: p.a } : {}) };
}

// ---- Reading ----------------------------------------------------------------------------------

export interface ShardedIndexOptions {
  shards: number;
  /**
   * Listing across pages: the cursor key and the pager (listingOptions). Only the functions that
   * list are given them, so that the others' bundles carry no cursor code.
   */
  listing?: { cursorKey: CursorKey; page: typeof pageAcrossShards };
}

/** A fixed key: tests, the bench and scripts that list in-process. */
export function staticCursorKey(secret: string): CursorKey {
  const key = new Uint8Array(Buffer.from(secret, "utf8"));
  return { key: async () => key };
}

/** The deployment's shard count, without listing. */
export function defaultIndexOptions(): ShardedIndexOptions {
  return { shards: indexShardCount() };
}

/** The shard count with listing, under `cursorKey`. */
export function listingOptions(
  cursorKey: CursorKey,
  shards: number = indexShardCount(),
): ShardedIndexOptions {
  return { shards, listing: { cursorKey, page: pageAcrossShards } };
}

/** The sharded lists of the table's GSI1: writing keys, finding one item, reading pages. */
export class ShardedIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    readonly options: ShardedIndexOptions,
  ) {}

  get shards(): number {
    return this.options.shards;
  }

  keys(list: ShardedList, sortKey: string) {
    return indexKeys(list, sortKey, this.options.shards);
  }

  /** The item of `list` whose index sort key is `sortKey`: one Query, in its one shard. */
  async find(list: ShardedList, sortKey: string): Promise<Record<string, unknown> | undefined> {
    const out = await queryIndex(
      this.doc,
      this.tableName,
      shardPartition(list, shardOf(sortKey, this.shards)),
      { equals: sortKey },
    );
    return out.items[0];
  }

  /** One page of `list` (pageAcrossShards); only with listing options. */
  page<T>(
    list: ShardedList,
    map: (item: Record<string, unknown>) => T,
    request: PageRequest,
    shards?: number[],
  ): Promise<Page<T>> {
    const listing = this.options.listing;
    if (!listing) throw new ConfigError("Listing needs the cursor key (CURSOR_KEY_SECRET_ARN)");
    return listing.page(
      this.doc,
      this.tableName,
      { shards: this.shards, cursorKey: listing.cursorKey },
      { list, map, request, ...(shards ? { shardOrder: shards } : {}) },
    );
  }
}

/**
 * One page of `list`, across shards: fills the page from the cursor's shard on, moving to the
 * next shard when one runs out: one Query per shard per page (more only when a Query stops at
 * DynamoDB's 1 MB), so a page costs at most INDEX_SHARDS Queries. `shardOrder`: only these
 * shards, in this order (a sweep worker's share); a cursor outside them is refused.
 */
export async function pageAcrossShards<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  index: { shards: number; cursorKey: CursorKey },
  q: {
    list: ShardedList;
    map: (item: Record<string, unknown>) => T;
    request: PageRequest;
    shardOrder?: number[];
  },
): Promise<Page<T>> {
  const { list, map, request } = q;
  const key = await index.cursorKey.key();
  const order = q.shardOrder ?? Array.from({ length: index.shards }, (_, s) => s);
  if (order.some((s) => !Number.isInteger(s) || s < 0 || s >= index.shards))
    throw new RangeError(`shards out of range 0 to ${index.shards - 1}`);
  let position: ShardPosition | undefined = request.cursor
    ? openCursor(key, list, index.shards, request.cursor)
    : order.length > 0
      ? { shard: order[0] as number }
      : undefined;
  let at = position ? order.indexOf(position.shard) : -1;
  if (position && at < 0) throw invalidCursor();
  const items: T[] = [];
  while (position && items.length < request.limit) {
    const out = await queryIndex(doc, tableName, shardPartition(list, position.shard), {
      ...(position.after ? { after: position.after } : {}),
      limit: request.limit - items.length,
    });
    items.push(...out.items.map(map));
    if (out.lastSortKey !== undefined) {
      position = { shard: position.shard, after: out.lastSortKey };
    } else {
      at += 1;
      position = at < order.length ? { shard: order[at] as number } : undefined;
    }
  }
  return {
    items,
    ...(position ? { nextCursor: sealCursor(key, list, position) } : {}),
  };
}

/** One Query on an index partition: by sort key, after one, or from its start. */
export async function queryIndex(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  q: { equals?: string; after?: string; limit?: number },
): Promise<{ items: Record<string, unknown>[]; lastSortKey?: string }> {
  const { gsi1 } = TABLE_KEYS;
  const condition =
    q.equals !== undefined ? " AND #sk = :sk" : q.after !== undefined ? " AND #sk > :sk" : "";
  try {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: gsi1.name,
        KeyConditionExpression: `#pk = :pk${condition}`,
        ExpressionAttributeNames: {
          "#pk": gsi1.partitionKey,
          ...(condition ? { "#sk": gsi1.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ":pk": partition,
          ...(condition ? { ":sk": q.equals ?? q.after } : {}),
        },
        ...(q.limit !== undefined ? { Limit: q.limit } : {}),
      }),
    );
    const last = out.LastEvaluatedKey?.[gsi1.sortKey];
    return {
      items: out.Items ?? [],
      ...(typeof last === "string" ? { lastSortKey: last } : {}),
    };
  } catch (err) {
    rethrowDynamo(err);
  }
}
