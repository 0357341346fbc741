import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { OrganizationJobLostError, RegistrationTokenSpentError } from "../domain/errors";
import { TenantNotFoundError } from "../errors";
import type { WriteGuard } from "../ports/accounts";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { bindRegistrationToken, keys, tenantIsActive } from "./table";

/**
 * The guard as a transaction's item: a ConditionCheck that the organization job still holds its
 * lease, or the registration token bound to the stack (an Update on the token's own item).
 */
function guardItem(tableName: string, guard: WriteGuard) {
  if ("registrationToken" in guard) {
    const t = guard.registrationToken;
    return { Update: bindRegistrationToken(tableName, t.tokenHash, t.stackId, t.at) };
  }
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

/** What a guard that no longer holds is, as an error. */
export function guardLost(guard: WriteGuard): Error {
  return "registrationToken" in guard
    ? new RegistrationTokenSpentError()
    : new OrganizationJobLostError(guard.organizationJob.jobId);
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
  const guard = options.guard ? [guardItem(tableName, options.guard)] : [];
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
      throw guardLost(options.guard);
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
