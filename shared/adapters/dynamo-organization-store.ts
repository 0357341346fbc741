import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StaleOrganizationError } from "../domain/errors";
import type { OrganizationConnection } from "../domain/organization";
import type { Page, PageRequest } from "../ports/common";
import type { OrganizationStore } from "../ports/organizations";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent, withoutTableAttributes } from "./gsi1";
import {
  defaultIndexOptions,
  indexKeys,
  ShardedIndex,
  type ShardedIndexOptions,
} from "./sharded-index";
import { keys } from "./table";
import { putVersioned } from "./versioned-put";

const toConnection = (item: Record<string, unknown>) =>
  withoutTableAttributes(item) as unknown as OrganizationConnection;

/**
 * A tenant's organization connection: one item in the tenant's partition (so deleting the tenant
 * purges it), listed for the sync through the sharded ORG list of GSI1. This class reads and
 * writes one connection; DynamoOrganizationStore also lists them (the read and disconnect
 * functions carry no listing code).
 */
export class DynamoOrganizationRecords implements Omit<OrganizationStore, "list"> {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly indexOptions: ShardedIndexOptions = defaultIndexOptions(),
  ) {}

  async get(tenantId: string): Promise<OrganizationConnection | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.organization(tenantId));
    return item ? toConnection(item) : undefined;
  }

  async put(connection: OrganizationConnection, expectedVersion: number | undefined) {
    const item = {
      ...keys.organization(connection.tenantId),
      ...indexKeys("ORG", connection.tenantId, this.indexOptions.shards),
      type: "ORGANIZATION",
      ...connection,
    };
    await putVersioned(this.doc, this.tableName, item, {
      tenantId: connection.tenantId,
      expectedVersion,
      stale: () => new StaleOrganizationError(connection.tenantId),
    });
  }

  async delete(tenantId: string): Promise<boolean> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.organization(tenantId),
          ReturnValues: "ALL_OLD",
        }),
      );
      return out.Attributes !== undefined;
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}

/** Composed, not a subclass: see DynamoTenantStore. */
export class DynamoOrganizationStore implements OrganizationStore {
  private readonly records: DynamoOrganizationRecords;
  private readonly index: ShardedIndex;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    indexOptions: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.records = new DynamoOrganizationRecords(doc, tableName, indexOptions);
    this.index = new ShardedIndex(doc, tableName, indexOptions);
  }

  get(tenantId: string) {
    return this.records.get(tenantId);
  }

  put(connection: OrganizationConnection, expectedVersion: number | undefined) {
    return this.records.put(connection, expectedVersion);
  }

  delete(tenantId: string) {
    return this.records.delete(tenantId);
  }

  list(page: PageRequest): Promise<Page<OrganizationConnection>> {
    return this.index.page("ORG", toConnection, page);
  }
}
