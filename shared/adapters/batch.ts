import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ServiceUnavailableError } from "../errors";

const BATCH_SIZE = 25;
const MAX_ROUNDS = 8;

/** Deletes the given keys, 25 per BatchWriteItem, re-sending unprocessed items with backoff. */
export async function batchDelete(
  doc: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: Record<string, string>[],
): Promise<void> {
  for (let i = 0; i < itemKeys.length; i += BATCH_SIZE) {
    let requests = itemKeys.slice(i, i + BATCH_SIZE).map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round === MAX_ROUNDS) {
        throw new ServiceUnavailableError("The data store is busy; retry the deletion shortly");
      }
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const out = await doc.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
