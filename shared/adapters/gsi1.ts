import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest } from "../ports";
import { decodeCursor, encodeCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { TABLE_KEYS } from "./table";

/**
 * One page of the items GSI1 lists under `partition` (tenants, API keys, permission sets, grants),
 * in sort-key order. The cursor must belong to that list; `sortKey` narrows to one item.
 */
export async function queryGsi1<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  map: (item: Record<string, unknown>) => T,
  options: { page?: PageRequest; sortKey?: string },
): Promise<Page<T>> {
  const { gsi1, partitionKey, sortKey } = TABLE_KEYS;
  const startKey = decodeCursor(options.page?.cursor, {
    attributes: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey],
    fixed: { [gsi1.partitionKey]: partition },
  });
  try {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: gsi1.name,
        KeyConditionExpression: options.sortKey ? "#pk = :pk AND #sk = :sk" : "#pk = :pk",
        ExpressionAttributeNames: {
          "#pk": gsi1.partitionKey,
          ...(options.sortKey ? { "#sk": gsi1.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ":pk": partition,
          ...(options.sortKey ? { ":sk": options.sortKey } : {}),
        },
        ...(options.page ? { Limit: options.page.limit } : {}),
        ExclusiveStartKey: startKey,
      }),
    );
    const nextCursor = encodeCursor(out.LastEvaluatedKey);
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
