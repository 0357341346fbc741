import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import type { PermissionSet } from "../domain/permission-set";
import type { PermissionSetStore } from "../ports/brokering";
import type { Page, PageRequest } from "../ports/common";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent, queryGsi1 } from "./gsi1";
import { GSI1_PERMISSION_SETS, keys } from "./table";

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
    const item = await getConsistent(this.doc, this.tableName, keys.permissionSet(name));
    return item ? toPermissionSet(item) : undefined;
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
    return queryGsi1(this.doc, this.tableName, GSI1_PERMISSION_SETS, toPermissionSet, page);
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
