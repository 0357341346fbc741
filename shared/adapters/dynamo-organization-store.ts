import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { StaleOrganizationError } from "../domain/errors";
import type { OrganizationConnection } from "../domain/organization";
import { TenantNotFoundError } from "../errors";
import type { OrganizationStore, Page, PageRequest } from "../ports";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { getConsistent, queryGsi1, withoutTableAttributes } from "./gsi1";
import { GSI1_ORGANIZATIONS, keys, tenantIsActive } from "./table";

const toConnection = (item: Record<string, unknown>) =>
  withoutTableAttributes(item) as unknown as OrganizationConnection;

/**
 * A tenant's organization connection: one item in the tenant's partition (so deleting the tenant
 * purges it), listed for the sync through GSI1 partition ORG.
 */
export class DynamoOrganizationStore implements OrganizationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string): Promise<OrganizationConnection | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.organization(tenantId));
    return item ? toConnection(item) : undefined;
  }

  async put(connection: OrganizationConnection, expectedVersion: number | undefined) {
    const item = {
      ...keys.organization(connection.tenantId),
      GSI1PK: GSI1_ORGANIZATIONS,
      GSI1SK: connection.tenantId,
      type: "ORGANIZATION",
      ...connection,
    };
    try {
      if (expectedVersion === undefined) {
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
              tenantIsActive(this.tableName, connection.tenantId),
            ],
          }),
        );
      } else {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": expectedVersion },
          }),
        );
      }
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons?.[1] === "ConditionalCheckFailed")
        throw new TenantNotFoundError(connection.tenantId);
      if (
        reasons?.[0] === "ConditionalCheckFailed" ||
        reasons?.includes("TransactionConflict") ||
        (err instanceof Error && err.name === "ConditionalCheckFailedException")
      ) {
        throw new StaleOrganizationError(connection.tenantId);
      }
      rethrowDynamo(err);
    }
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
    return queryGsi1(this.doc, this.tableName, GSI1_ORGANIZATIONS, toConnection, { page });
  }
}
