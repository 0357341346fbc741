import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type { PermissionSet } from "../domain/permission-set";
import type { Page, PageRequest, PermissionSetStore } from "../ports";
import { decodeCursor, encodeCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { GSI1_PERMISSION_SETS, keys, TABLE_KEYS } from "./table";

export function toPermissionSet(item: Record<string, unknown>): PermissionSet {
  return {
    name: String(item.name),
    policy: String(item.policy),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    ...(typeof item.description === "string" ? { description: item.description } : {}),
  };
}

export class DynamoPermissionSetStore implements PermissionSetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(set: PermissionSet): Promise<{ created: boolean }> {
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.permissionSet(set.name),
            GSI1PK: GSI1_PERMISSION_SETS,
            GSI1SK: set.name,
            type: "PERMSET",
            recordVersion: 1,
            ...set,
          },
          ReturnValues: "ALL_OLD",
        }),
      );
      return { created: out.Attributes === undefined };
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async get(name: string): Promise<PermissionSet | undefined> {
    try {
      const out = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.permissionSet(name),
          ConsistentRead: true,
        }),
      );
      return out.Item ? toPermissionSet(out.Item) : undefined;
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async getMany(names: string[]): Promise<PermissionSet[]> {
    if (names.length === 0) return [];
    try {
      const out = await this.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: [...new Set(names)].map((n) => keys.permissionSet(n)),
              ConsistentRead: true,
            },
          },
        }),
      );
      return (out.Responses?.[this.tableName] ?? []).map(toPermissionSet);
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async list(page: PageRequest): Promise<Page<PermissionSet>> {
    const { gsi1, partitionKey, sortKey } = TABLE_KEYS;
    const startKey = decodeCursor(page.cursor, {
      attributes: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey],
      fixed: { [gsi1.partitionKey]: GSI1_PERMISSION_SETS },
    });
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: gsi1.name,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": gsi1.partitionKey },
          ExpressionAttributeValues: { ":pk": GSI1_PERMISSION_SETS },
          Limit: page.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      const nextCursor = encodeCursor(out.LastEvaluatedKey);
      return {
        items: (out.Items ?? []).map(toPermissionSet),
        ...(nextCursor ? { nextCursor } : {}),
      };
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async delete(name: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.permissionSet(name),
          ConditionExpression: "attribute_exists(PK)",
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }
}
