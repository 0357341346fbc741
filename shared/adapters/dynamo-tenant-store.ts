import {
  type DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { ExternalIdTakenError, StaleTenantError } from "../domain/errors";
import type { ExternalIdState, RotationAccount, Tenant } from "../domain/tenant";
import type { Page, PageRequest } from "../ports/common";
import type { RotationAccountReader, TenantStore } from "../ports/tenants";
import { batchDelete } from "./batch";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { getConsistent } from "./gsi1";
import { defaultIndexOptions, ShardedIndex, type ShardedIndexOptions } from "./sharded-index";
import { keys } from "./table";

const RECORD_VERSION = 1;

interface TenantItem {
  PK: string;
  SK: string;
  GSI1PK?: string;
  GSI1SK?: string;
  type: "TENANT";
  recordVersion: number;
  tenantId: string;
  name: string;
  status: Tenant["status"];
  externalId: ExternalIdState;
  suspended?: boolean;
  suspendedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

function toTenant(item: Record<string, unknown>): Tenant {
  const t = item as unknown as TenantItem;
  return {
    tenantId: t.tenantId,
    name: t.name,
    status: t.status,
    externalId: t.externalId,
    ...(t.suspended ? { suspended: true } : {}),
    ...(t.suspendedAt ? { suspendedAt: t.suspendedAt } : {}),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    version: t.version,
  };
}

/** The items that reserve an external ID: the global reservation and its pointer under the tenant. */
function reserveExternalId(tableName: string, tenantId: string, externalId: string) {
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.externalId(externalId), type: "EXTID", tenantId },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: {
          PK: keys.tenantPartition(tenantId),
          SK: `EXTID#${externalId}`,
          type: "EXTID_POINTER",
          ref: keys.externalId(externalId),
        },
      },
    },
  ];
}

/** TenantStore.updateExternalId, shared by the store and the rotation's own adapter. */
async function writeExternalId(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tenant: Tenant,
  next: ExternalIdState,
  updatedAt: string,
): Promise<Tenant> {
  const { tenantId, version: expectedVersion } = tenant;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.tenant(tenantId),
              UpdateExpression:
                "SET externalId = :next, updatedAt = :now, version = version + :one",
              ConditionExpression: "version = :expected AND #status = :active",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":next": next,
                ":now": updatedAt,
                ":one": 1,
                ":expected": expectedVersion,
                ":active": "ACTIVE",
              },
            },
          },
          ...reserveExternalId(tableName, tenantId, next.current),
        ],
      }),
    );
  } catch (err) {
    const reasons = cancellationReasons(err);
    if (reasons?.[0] === "ConditionalCheckFailed" || reasons?.includes("TransactionConflict")) {
      throw new StaleTenantError(tenantId);
    }
    if (reasons?.[1] === "ConditionalCheckFailed") throw new ExternalIdTakenError();
    rethrowDynamo(err);
  }
  // What this call wrote, not a re-read: a concurrent rotation may already have replaced it.
  return { ...tenant, externalId: next, updatedAt, version: expectedVersion + 1 };
}

/**
 * The one read most functions make (is the tenant there, and ACTIVE?), apart from the writes, so
 * that their bundles carry only this.
 */
export class DynamoTenantReader implements Pick<TenantStore, "get"> {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  get(tenantId: string): Promise<Tenant | undefined> {
    return readTenant(this.doc, this.tableName, tenantId);
  }
}

async function readTenant(
  doc: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
): Promise<Tenant | undefined> {
  const item = await getConsistent(doc, tableName, keys.tenant(tenantId));
  return item === undefined ? undefined : toTenant(item);
}

/**
 * Not a subclass of the reader: esbuild keeps a class that `extends` another in every bundle that
 * imports the module, and with it the listing code the reader's functions never run.
 */
export class DynamoTenantStore implements TenantStore {
  private readonly index: ShardedIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    index: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.index = new ShardedIndex(doc, tableName, index);
  }

  get(tenantId: string): Promise<Tenant | undefined> {
    return readTenant(this.doc, this.tableName, tenantId);
  }

  async create(tenant: Tenant): Promise<void> {
    const item: TenantItem = {
      ...keys.tenant(tenant.tenantId),
      ...this.index.keys("TENANT", tenant.tenantId),
      type: "TENANT",
      recordVersion: RECORD_VERSION,
      ...tenant,
    };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: item,
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            ...reserveExternalId(this.tableName, tenant.tenantId, tenant.externalId.current),
          ],
        }),
      );
    } catch (err) {
      if (cancellationReasons(err)?.[1] === "ConditionalCheckFailed")
        throw new ExternalIdTakenError();
      rethrowDynamo(err);
    }
  }

  async list(page: PageRequest): Promise<Page<Tenant>> {
    return this.index.page("TENANT", toTenant, page);
  }

  updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string): Promise<Tenant> {
    return writeExternalId(this.doc, this.tableName, tenant, next, updatedAt);
  }

  async setSuspended(
    tenantId: string,
    suspended: boolean,
    at: string,
  ): Promise<Tenant | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.tenant(tenantId),
          UpdateExpression: suspended
            ? "SET suspended = :true, suspendedAt = :at, updatedAt = :at, version = version + :one"
            : "SET updatedAt = :at, version = version + :one REMOVE suspended, suspendedAt",
          ConditionExpression: "#status = :active",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":at": at,
            ":one": 1,
            ":active": "ACTIVE",
            ...(suspended ? { ":true": true } : {}),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? toTenant(out.Attributes) : undefined;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return undefined;
      rethrowDynamo(err);
    }
  }

  async markDeleting(tenantId: string, updatedAt: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.tenant(tenantId),
          // Leaving the GSI1 list at once hides the tenant from listings while it is purged.
          UpdateExpression:
            "SET #status = :deleting, updatedAt = :now, version = version + :one REMOVE GSI1PK, GSI1SK",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":deleting": "DELETING", ":now": updatedAt, ":one": 1 },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }

  async purge(tenantId: string): Promise<void> {
    const children: Record<string, string>[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": keys.tenantPartition(tenantId) },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        for (const item of out.Items ?? []) {
          const sk = String(item.SK);
          if (sk === "TENANT") continue;
          const ref = item.ref as { PK?: unknown; SK?: unknown } | undefined;
          if (typeof ref?.PK === "string" && typeof ref.SK === "string")
            children.push({ PK: ref.PK, SK: ref.SK });
          children.push({ PK: String(item.PK), SK: sk });
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey !== undefined);
      await batchDelete(this.doc, this.tableName, children);
      // The tenant item goes last: a crash before this leaves a DELETING tenant a retry can finish.
      await batchDelete(this.doc, this.tableName, [keys.tenant(tenantId)]);
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}

/**
 * What a rotation reads and writes, in a class of its own: the rotation function carries only
 * this (not the store's listing, purge and the rest), and no other function its read of every
 * account.
 */
export class DynamoRotationStore
  implements Pick<TenantStore, "get" | "updateExternalId">, RotationAccountReader
{
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  get(tenantId: string): Promise<Tenant | undefined> {
    return readTenant(this.doc, this.tableName, tenantId);
  }

  updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string): Promise<Tenant> {
    return writeExternalId(this.doc, this.tableName, tenant, next, updatedAt);
  }

  /**
   * One Query of the tenant's ACCOUNT# items, page after page, strongly consistent (an account
   * verified a moment ago is seen with the ID it accepted). The projection keeps the answer small;
   * DynamoDB still charges the whole items read: about one read unit per 4 KB of accounts.
   */
  async rotationAccounts(tenantId: string): Promise<RotationAccount[]> {
    const accounts: RotationAccount[] = [];
    try {
      for await (const page of paginateQuery(
        { client: this.doc },
        {
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ProjectionExpression: "accountId, #status, acceptedExternalId",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":pk": keys.tenantPartition(tenantId),
            ":prefix": "ACCOUNT#",
          },
          ConsistentRead: true,
        },
      )) {
        for (const item of page.Items ?? []) {
          accounts.push({
            accountId: String(item.accountId),
            status: item.status as RotationAccount["status"],
            ...(typeof item.acceptedExternalId === "string"
              ? { acceptedExternalId: item.acceptedExternalId }
              : {}),
          });
        }
      }
    } catch (err) {
      rethrowDynamo(err);
    }
    return accounts;
  }
}
