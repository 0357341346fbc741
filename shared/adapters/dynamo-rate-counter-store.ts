import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RateCounterStore } from "../ports/common";
import { rethrowDynamo } from "./dynamo-errors";
import { keys, TABLE_KEYS } from "./table";

/** Rate counters in the table: RATE#<bucket>#<subject> / <window start> (rateBucketOf), one conditional update each. */
export class DynamoRateCounterStore implements RateCounterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(subject: string, windowStart: number, limit: number, expiresAt: number) {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rateCounter(subject, windowStart),
          UpdateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
          ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
          ExpressionAttributeNames: { "#count": "count", "#expiresAt": TABLE_KEYS.ttlAttribute },
          ExpressionAttributeValues: { ":one": 1, ":limit": limit, ":expiresAt": expiresAt },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }
}
