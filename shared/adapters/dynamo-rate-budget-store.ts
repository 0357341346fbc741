import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { BUDGET_SLOT_MS } from "../domain/sweep-plan";
import type { RateBudgetStore } from "../ports/health";
import { rethrowDynamo } from "./dynamo-errors";
import { keys, TABLE_KEYS } from "./table";

/** Counters kept a few minutes after their slot (TTL), for an operator to look at. */
const KEEP_SECONDS = 300;

/**
 * The sweep budget's counters: SWEEPBUDGET#<key> / <slot> (epoch ms / BUDGET_SLOT_MS). One UpdateItem per claim, which
 * always succeeds: it adds what was asked and returns the new count, and the claim is granted what
 * fitted under the capacity before it (a count past the capacity grants nothing more).
 */
export class DynamoRateBudgetStore implements RateBudgetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(slot: number, key: number, want: number, capacity: number): Promise<number> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.sweepBudget(key, slot),
          UpdateExpression: "ADD #taken :want SET #expiresAt = :expiresAt",
          ExpressionAttributeNames: { "#taken": "taken", "#expiresAt": TABLE_KEYS.ttlAttribute },
          ExpressionAttributeValues: {
            ":want": want,
            ":expiresAt": Math.floor((slot * BUDGET_SLOT_MS) / 1000) + KEEP_SECONDS,
          },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const taken = Number(out.Attributes?.taken ?? want);
      const before = taken - want;
      return Math.max(0, Math.min(want, capacity - before));
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}
