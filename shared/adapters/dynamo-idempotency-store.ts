import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { IdempotencyRecord, IdempotencyStore } from "../ports/common";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent } from "./gsi1";
import { keys, TABLE_KEYS } from "./table";

/**
 * Idempotency records in the control plane's table (IDEMPOTENCY#<operation> / <key hash>). A key
 * is taken with one conditional PutItem, which only an expired or abandoned record lets through;
 * the table's TTL removes records after `expiresAt`.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(scope: string, keyHash: string, record: IdempotencyRecord, nowMs: number) {
    const key = keys.idempotency(scope, keyHash);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(key, record),
          ConditionExpression:
            "attribute_not_exists(PK) OR #expiresAt < :nowSeconds OR (#status = :inProgress AND inProgressUntil < :nowMs)",
          ExpressionAttributeNames: { "#expiresAt": TABLE_KEYS.ttlAttribute, "#status": "status" },
          ExpressionAttributeValues: {
            ":nowSeconds": Math.floor(nowMs / 1000),
            ":nowMs": nowMs,
            ":inProgress": "IN_PROGRESS",
          },
        }),
      );
      return { claimed: true } as const;
    } catch (err) {
      if (!(err instanceof Error && err.name === "ConditionalCheckFailedException"))
        rethrowDynamo(err);
    }
    const holder = await getConsistent(this.doc, this.tableName, key);
    return holder
      ? ({ claimed: false, holder: toRecord(holder) } as const)
      : ({ claimed: false } as const);
  }

  async complete(scope: string, keyHash: string, record: IdempotencyRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(keys.idempotency(scope, keyHash), record),
        }),
      );
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async release(scope: string, keyHash: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.idempotency(scope, keyHash) }),
      );
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}

function toItem(key: { PK: string; SK: string }, record: IdempotencyRecord) {
  return {
    ...key,
    type: "IDEMPOTENCY",
    status: record.status,
    requestHash: record.requestHash,
    // JSON text: an answer's shape never meets DynamoDB's rules for attribute values.
    ...(record.response === undefined ? {} : { response: JSON.stringify(record.response) }),
    [TABLE_KEYS.ttlAttribute]: record.expiresAt,
    inProgressUntil: record.inProgressUntil,
  };
}

function toRecord(item: Record<string, unknown>): IdempotencyRecord {
  return {
    status: item.status === "COMPLETED" ? "COMPLETED" : "IN_PROGRESS",
    requestHash: String(item.requestHash ?? ""),
    ...(typeof item.response === "string" ? { response: JSON.parse(item.response) } : {}),
    expiresAt: Number(item[TABLE_KEYS.ttlAttribute] ?? 0),
    inProgressUntil: Number(item.inProgressUntil ?? 0),
  };
}
