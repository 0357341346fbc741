import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StaleOrganizationError } from "../domain/errors";
import type { OrganizationConnection } from "../domain/organization";
import type { OrganizationStore, Page, PageRequest } from "../ports";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent, withoutTableAttributes } from "./gsi1";
import { defaultIndexOptions, ShardedIndex, type ShardedIndexOptions } from "./sharded-index";
import { keys } from "./table";
import { putVersioned } from "./versioned-put";

const toConnection = (item: Record<string, unknown>) =>
  withoutTableAttributes(item) as unknown as OrganizationConnection;

/**
 * A tenant's organization connection: one item in the tenant's partition (so deleting the tenant
 * purges it), listed for the sync through the sharded ORG list of GSI1.
 */
export class DynamoOrganizationStore implements OrganizationStore {
  private readonly index: ShardedIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    index: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.index = new ShardedIndex(doc, tableName, index);
  }

  async get(tenantId: string): Promise<OrganizationConnection | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.organization(tenantId));
    return item ? toConnection(item) : undefined;
  }

  async put(connection: OrganizationConnection, expectedVersion: number | undefined) {
    const item = {
      ...keys.organization(connection.tenantId),
      ...this.index.keys("ORG", connection.tenantId),
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

  list(page: PageRequest): Promise<Page<OrganizationConnection>> {
    return this.index.page("ORG", toConnection, page);
  }
}
