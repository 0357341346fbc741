import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { TenantNotFoundError } from "../errors";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { tenantIsActive } from "./table";

/**
 * Writes an item that hangs off a tenant, with optimistic locking. Without `expectedVersion` it
 * creates the item, only if it does not exist and only while the tenant is ACTIVE (one
 * transaction: a deletion under way refuses it); with it, it replaces the item only if its
 * `version` is still that one. Throws TenantNotFoundError, or `stale()` when the item was
 * created or changed concurrently.
 */
export async function putVersioned(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  options: { tenantId: string; expectedVersion: number | undefined; stale: () => Error },
): Promise<void> {
  try {
    if (options.expectedVersion === undefined) {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: item,
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            tenantIsActive(tableName, options.tenantId),
          ],
        }),
      );
    } else {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: "version = :expected",
          ExpressionAttributeValues: { ":expected": options.expectedVersion },
        }),
      );
    }
  } catch (err) {
    const reasons = cancellationReasons(err);
    if (reasons?.[1] === "ConditionalCheckFailed") throw new TenantNotFoundError(options.tenantId);
    if (
      reasons?.[0] === "ConditionalCheckFailed" ||
      reasons?.includes("TransactionConflict") ||
      (err instanceof Error && err.name === "ConditionalCheckFailedException")
    ) {
      throw options.stale();
    }
    rethrowDynamo(err);
  }
}
