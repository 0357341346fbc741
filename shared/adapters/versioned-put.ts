import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { OrganizationJobLostError } from "../domain/errors";
import { TenantNotFoundError } from "../errors";
import type { WriteGuard } from "../ports";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { keys, tenantIsActive } from "./table";

/** The guard as a transaction's ConditionCheck: the organization job still holds its lease. */
function guardCheck(tableName: string, guard: WriteGuard) {
  const g = guard.organizationJob;
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.organizationJob(g.tenantId),
      ConditionExpression: "jobId = :job AND holder = :holder AND seq = :seq",
      ExpressionAttributeValues: { ":job": g.jobId, ":holder": g.holder, ":seq": g.seq },
    },
  };
}

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
  options: {
    tenantId: string;
    expectedVersion: number | undefined;
    stale: () => Error;
    /** Written only while it holds: one more ConditionCheck in the transaction. */
    guard?: WriteGuard;
  },
): Promise<void> {
  const guard = options.guard ? [guardCheck(tableName, options.guard)] : [];
  // Where the guard's check is among the transaction's items (for its cancellation reason).
  const guardAt = options.expectedVersion === undefined ? 2 : 1;
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
            ...guard,
          ],
        }),
      );
    } else if (options.guard) {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: item,
                ConditionExpression: "version = :expected",
                ExpressionAttributeValues: { ":expected": options.expectedVersion },
              },
            },
            ...guard,
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
    if (options.guard && reasons?.[guardAt] === "ConditionalCheckFailed")
      throw new OrganizationJobLostError(options.guard.organizationJob.jobId);
    if (options.expectedVersion === undefined && reasons?.[1] === "ConditionalCheckFailed")
      throw new TenantNotFoundError(options.tenantId);
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
