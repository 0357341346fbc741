import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { Account } from "../domain/account";
import { StaleAccountError } from "../domain/errors";
import type { AccountStore, WriteGuard } from "../ports/accounts";
import type { Page, PageRequest } from "../ports/common";
import { decodeCursor, encodeCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent, withoutTableAttributes } from "./gsi1";
import { accountIndexSortKey, indexKeys, indexShardCount } from "./sharded-index";
import { keys } from "./table";
import { putVersioned } from "./versioned-put";

const RECORD_VERSION = 1;

function toAccount(item: Record<string, unknown>): Account {
  return withoutTableAttributes(item) as unknown as Account;
}

export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The index's shard count (the sweep lists accounts through it: DynamoHealthStore). */
    private readonly indexShards: number = indexShardCount(),
  ) {}

  async put(
    account: Account,
    expectedVersion: number | undefined,
    guard?: WriteGuard,
  ): Promise<void> {
    const item = {
      ...keys.account(account.tenantId, account.accountId),
      ...indexKeys(
        "ACCOUNT",
        accountIndexSortKey(account.tenantId, account.accountId),
        this.indexShards,
      ),
      type: "ACCOUNT",
      recordVersion: RECORD_VERSION,
      ...account,
    };
    // A new account attaches only to an ACTIVE tenant, atomically with the check.
    await putVersioned(this.doc, this.tableName, item, {
      tenantId: account.tenantId,
      expectedVersion,
      stale: () => new StaleAccountError(account.accountId),
      ...(guard ? { guard } : {}),
    });
  }

  async get(tenantId: string, accountId: string): Promise<Account | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.account(tenantId, accountId));
    return item ? toAccount(item) : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Account>> {
    const partition = keys.tenantPartition(tenantId);
    const startKey = decodeCursor(page.cursor, {
      attributes: ["PK", "SK"],
      fixed: { PK: partition },
      prefixes: { SK: "ACCOUNT#" },
    });
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": partition, ":prefix": "ACCOUNT#" },
          Limit: page.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      const nextCursor = encodeCursor(out.LastEvaluatedKey);
      return { items: (out.Items ?? []).map(toAccount), ...(nextCursor ? { nextCursor } : {}) };
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async markDenied(
    tenantId: string,
    accountId: string,
    at: string,
    message: string,
  ): Promise<void> {
    await this.updateIfPresent(tenantId, accountId, {
      UpdateExpression:
        "SET #status = :failed, lastVerification = :lv, updatedAt = :at, version = version + :one",
      // The lifecycle's SESSION_DENIED: only a VERIFIED or FAILED account (never a DETACHED one).
      ConditionExpression: "attribute_exists(PK) AND #status IN (:verified, :failed)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":verified": "VERIFIED",
        ":failed": "FAILED",
        ":lv": { at, code: "ACCESS_DENIED", message },
        ":at": at,
        ":one": 1,
      },
    });
  }

  async recordExternalId(
    tenantId: string,
    accountId: string,
    roleArn: string,
    externalId: string,
  ): Promise<void> {
    // Not a change of the registration: neither version nor updatedAt moves, so a health check
    // or an update in flight is not refused because of it.
    await this.updateIfPresent(tenantId, accountId, {
      UpdateExpression: "SET acceptedExternalId = :id",
      ConditionExpression: "attribute_exists(PK) AND roleArn = :roleArn",
      ExpressionAttributeValues: { ":id": externalId, ":roleArn": roleArn },
    });
  }

  /** One conditional UpdateItem on the account; a failed condition is not an error. */
  private async updateIfPresent(
    tenantId: string,
    accountId: string,
    update: Omit<UpdateCommandInput, "TableName" | "Key">,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(tenantId, accountId),
          ...update,
        }),
      );
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return;
      rethrowDynamo(err);
    }
  }

  async delete(tenantId: string, accountId: string, expectedVersion?: number): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.account(tenantId, accountId),
          ...(expectedVersion === undefined
            ? { ConditionExpression: "attribute_exists(PK)" }
            : {
                ConditionExpression: "attribute_exists(PK) AND version = :v",
                ExpressionAttributeValues: { ":v": expectedVersion },
              }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }
}
