import {
  type DynamoDBDocumentClient,
  paginateQuery,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { ALL_TENANTS, type Grant } from "../domain/grant";
import { ConflictError, TenantNotFoundError } from "../errors";
import type { GrantStore } from "../ports/brokering";
import type { Page, PageRequest } from "../ports/common";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { defaultIndexOptions, ShardedIndex, type ShardedIndexOptions } from "./sharded-index";
import { keys, tenantIsActive } from "./table";

export function toGrant(item: Record<string, unknown>): Grant {
  return {
    grantId: String(item.grantId),
    service: String(item.service),
    tenantId: String(item.tenantId),
    permissionSets: (item.permissionSets as string[]) ?? [],
    maxDurationSeconds: Number(item.maxDurationSeconds),
    createdAt: String(item.createdAt),
  };
}

export class DynamoGrantStore implements GrantStore {
  private readonly index: ShardedIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    index: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.index = new ShardedIndex(doc, tableName, index);
  }

  async create(grant: Grant): Promise<void> {
    const forTenant = grant.tenantId !== ALL_TENANTS;
    const items: NonNullable<
      ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
    > = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.grant(grant.service, grant.tenantId),
            ...this.index.keys("GRANT", grant.grantId),
            type: "GRANT",
            recordVersion: 1,
            ...grant,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ];
    if (forTenant) {
      items.push(
        {
          Put: {
            TableName: this.tableName,
            Item: {
              PK: keys.tenantPartition(grant.tenantId),
              SK: `GRANT#${grant.grantId}`,
              type: "GRANT_POINTER",
              ref: keys.grant(grant.service, grant.tenantId),
            },
          },
        },
        tenantIsActive(this.tableName, grant.tenantId),
      );
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.[0] === "ConditionalCheckFailed") {
        throw new ConflictError(
          "GRANT_EXISTS",
          `Service ${grant.service} already has a grant for ${grant.tenantId === ALL_TENANTS ? "all tenants" : `tenant ${grant.tenantId}`}; delete it first`,
        );
      }
      if (reasons?.[2] === "ConditionalCheckFailed") throw new TenantNotFoundError(grant.tenantId);
      rethrowDynamo(err);
    }
  }

  async get(grantId: string): Promise<Grant | undefined> {
    const item = await this.index.find("GRANT", grantId);
    return item === undefined ? undefined : toGrant(item);
  }

  list(page: PageRequest): Promise<Page<Grant>> {
    return this.index.page("GRANT", toGrant, page);
  }

  async listForService(service: string): Promise<Grant[]> {
    // GRANT#<service> holds the service's grants, one item per tenant (and TENANT#* for all).
    const grants: Grant[] = [];
    try {
      for await (const page of paginateQuery(
        { client: this.doc },
        {
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": keys.grantPartition(service) },
        },
      )) {
        for (const item of page.Items ?? []) grants.push(toGrant(item));
      }
    } catch (err) {
      rethrowDynamo(err);
    }
    return grants;
  }

  async delete(grantId: string): Promise<boolean> {
    const grant = await this.get(grantId);
    if (!grant) return false;
    const items: NonNullable<
      ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
    > = [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.grant(grant.service, grant.tenantId),
          ConditionExpression: "grantId = :id",
          ExpressionAttributeValues: { ":id": grantId },
        },
      },
    ];
    if (grant.tenantId !== ALL_TENANTS) {
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: { PK: keys.tenantPartition(grant.tenantId), SK: `GRANT#${grantId}` },
        },
      });
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      if (cancellationReasons(err)?.[0] === "ConditionalCheckFailed") return false;
      rethrowDynamo(err);
    }
  }
}
