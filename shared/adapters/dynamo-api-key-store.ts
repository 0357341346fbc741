import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ApiKey } from "../domain/api-key";
import { ConflictError, TenantNotFoundError } from "../errors";
import type { Page, PageRequest } from "../ports/common";
import type { ApiKeyStore } from "../ports/tenants";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { getConsistent } from "./gsi1";
import { defaultIndexOptions, ShardedIndex, type ShardedIndexOptions } from "./sharded-index";
import { keys, tenantIsActive } from "./table";

const RECORD_VERSION = 1;

function toApiKey(item: Record<string, unknown>): ApiKey {
  const key: ApiKey = {
    keyId: String(item.keyId),
    role: item.role as ApiKey["role"],
    createdAt: String(item.createdAt),
  };
  if (typeof item.tenantId === "string") key.tenantId = item.tenantId;
  if (typeof item.service === "string") key.service = item.service;
  if (typeof item.description === "string") key.description = item.description;
  if (typeof item.revokedAt === "string") key.revokedAt = item.revokedAt;
  return key;
}

export class DynamoApiKeyStore implements ApiKeyStore {
  private readonly index: ShardedIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    index: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.index = new ShardedIndex(doc, tableName, index);
  }

  async create(key: ApiKey, secretHash: string): Promise<void> {
    const item = {
      ...keys.apiKey(secretHash),
      ...this.index.keys("APIKEY", key.keyId),
      type: "APIKEY",
      recordVersion: RECORD_VERSION,
      ...key,
    };
    const transactItems: NonNullable<
      ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
    > = [
      {
        Put: {
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ];
    if (key.tenantId !== undefined) {
      transactItems.push(
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.tenantKeyPointer(key.tenantId, key.keyId),
              type: "APIKEY_POINTER",
              ref: keys.apiKey(secretHash),
            },
          },
        },
        tenantIsActive(this.tableName, key.tenantId),
      );
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: transactItems }));
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (key.tenantId !== undefined && reasons?.[2] === "ConditionalCheckFailed") {
        throw new TenantNotFoundError(key.tenantId);
      }
      if (reasons?.[0] === "ConditionalCheckFailed") {
        throw new ConflictError("API_KEY_EXISTS", "An API key with this secret already exists");
      }
      rethrowDynamo(err);
    }
  }

  /**
   * One strongly consistent GetItem on the key's own item (under 4 KB: one read capacity unit):
   * a revocation is seen as soon as its UpdateItem returned.
   */
  async findByHash(secretHash: string): Promise<ApiKey | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.apiKey(secretHash));
    return item === undefined ? undefined : toApiKey(item);
  }

  private async findItemById(keyId: string): Promise<Record<string, unknown> | undefined> {
    return this.index.find("APIKEY", keyId);
  }

  async get(keyId: string): Promise<ApiKey | undefined> {
    const item = await this.findItemById(keyId);
    return item === undefined ? undefined : toApiKey(item);
  }

  async list(page: PageRequest): Promise<Page<ApiKey>> {
    // Paged by key ID: a cursor carries index sort keys only, never the table key (the secret's
    // SHA-256).
    return this.index.page("APIKEY", toApiKey, page);
  }

  async revoke(keyId: string, revokedAt: string): Promise<ApiKey | undefined> {
    const item = await this.findItemById(keyId);
    if (item === undefined) return undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: String(item.PK), SK: String(item.SK) },
          UpdateExpression: "SET revokedAt = if_not_exists(revokedAt, :now)",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeValues: { ":now": revokedAt },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes === undefined ? undefined : toApiKey(out.Attributes);
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return undefined;
      rethrowDynamo(err);
    }
  }
}
