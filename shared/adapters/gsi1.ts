import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest } from "../ports/common";
import { decodeAfterCursor, encodeAfterCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { queryIndex } from "./sharded-index";
import { TABLE_KEYS } from "./table";

/**
 * One page of the items GSI1 lists under one fixed partition (the permission sets: the lists
 * that grow are sharded, sharded-index.ts), in sort-key order. The cursor carries only the last
 * item's index sort key ({"after": ...}), and the next page starts after it.
 */
export async function queryGsi1<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  map: (item: Record<string, unknown>) => T,
  page: PageRequest,
): Promise<Page<T>> {
  const after = decodeAfterCursor(page.cursor);
  const out = await queryIndex(doc, tableName, partition, {
    ...(after !== undefined ? { after } : {}),
    limit: page.limit,
  });
  return {
    items: out.items.map(map),
    ...(out.lastSortKey !== undefined ? { nextCursor: encodeAfterCursor(out.lastSortKey) } : {}),
  };
}

/** An item without the table's own attributes (keys, index keys, type, record version, TTL). */
export function withoutTableAttributes(item: Record<string, unknown>): Record<string, unknown> {
  const {
    PK: _p,
    SK: _s,
    GSI1PK: _g1,
    GSI1SK: _g2,
    type: _t,
    recordVersion: _r,
    [TABLE_KEYS.ttlAttribute]: _e,
    ...rest
  } = item;
  return rest;
}

/** One strongly consistent GetItem: the item, or undefined; throttling and faults become 503. */
export async function getConsistent(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  } catch (err) {
    rethrowDynamo(err);
  }
}
