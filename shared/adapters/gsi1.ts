import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest } from "../ports";
import { decodeAfterCursor, decodeCursor, encodeAfterCursor, encodeCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { TABLE_KEYS } from "./table";

/**
 * One page of the items GSI1 lists under `partition` (tenants, API keys, permission sets, grants),
 * in sort-key order. The cursor must belong to that list; `sortKey` narrows to one item.
 *
 * `bySortKey`: the cursor carries only the last item's index sort key, and the next page starts
 * after it (`GSI1SK > :after`), for lists whose table keys must not leave the service (API keys:
 * their key is the SHA-256 of the secret). Index sort keys must then be unique in the list.
 */
export async function queryGsi1<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  map: (item: Record<string, unknown>) => T,
  options: { page?: PageRequest; sortKey?: string; bySortKey?: boolean },
): Promise<Page<T>> {
  const { gsi1, partitionKey, sortKey } = TABLE_KEYS;
  const after = options.bySortKey ? decodeAfterCursor(options.page?.cursor) : undefined;
  const startKey = options.bySortKey
    ? undefined
    : decodeCursor(options.page?.cursor, {
        attributes: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey],
        fixed: { [gsi1.partitionKey]: partition },
      });
  const sortCondition = options.sortKey
    ? " AND #sk = :sk"
    : after !== undefined
      ? " AND #sk > :after"
      : "";
  try {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: gsi1.name,
        KeyConditionExpression: `#pk = :pk${sortCondition}`,
        ExpressionAttributeNames: {
          "#pk": gsi1.partitionKey,
          ...(sortCondition ? { "#sk": gsi1.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ":pk": partition,
          ...(options.sortKey ? { ":sk": options.sortKey } : {}),
          ...(after !== undefined && !options.sortKey ? { ":after": after } : {}),
        },
        ...(options.page ? { Limit: options.page.limit } : {}),
        ExclusiveStartKey: startKey,
      }),
    );
    const last = out.LastEvaluatedKey;
    const nextCursor = options.bySortKey
      ? last === undefined
        ? undefined
        : encodeAfterCursor(String(last[gsi1.sortKey]))
      : encodeCursor(last);
    return { items: (out.Items ?? []).map(map), ...(nextCursor ? { nextCursor } : {}) };
  } catch (err) {
    rethrowDynamo(err);
  }
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
