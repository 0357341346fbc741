import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AccountHealth } from "../domain/health";
import type { Page, SweepRecords, SweepSummary, SweptAccount } from "../ports";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { getConsistent, withoutTableAttributes } from "./gsi1";
import { defaultIndexOptions, ShardedIndex, type ShardedIndexOptions } from "./sharded-index";
import { keys, TABLE_KEYS } from "./table";

/**
 * The sweep's reads and writes: every account through the accounts index (a Query, page by page,
 * never a Scan), and the new health with a history entry, written only if the account is still
 * the one that was checked.
 */
export class DynamoHealthStore implements SweepRecords {
  private readonly index: ShardedIndex;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly historyRetentionSeconds: number,
    index: ShardedIndexOptions = defaultIndexOptions(),
  ) {
    this.index = new ShardedIndex(doc, tableName, index);
  }

  accounts(cursor: string | undefined, limit: number): Promise<Page<SweptAccount>> {
    return this.index.page(
      "ACCOUNT",
      (item) => withoutTableAttributes(item) as unknown as SweptAccount,
      { limit, ...(cursor ? { cursor } : {}) },
    );
  }

  async record(
    account: SweptAccount,
    health: AccountHealth,
    acceptedExternalId?: string,
  ): Promise<boolean> {
    const ttl = Math.floor(Date.parse(health.lastCheckedAt) / 1000) + this.historyRetentionSeconds;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.account(account.tenantId, account.accountId),
                UpdateExpression:
                  acceptedExternalId === undefined
                    ? "SET health = :health"
                    : "SET health = :health, acceptedExternalId = :externalId",
                // Not deleted, not re-registered or re-verified since it was read.
                ConditionExpression:
                  "attribute_exists(PK) AND roleArn = :roleArn AND updatedAt = :updatedAt",
                ExpressionAttributeValues: {
                  ":health": health,
                  ":roleArn": account.roleArn,
                  ":updatedAt": account.updatedAt,
                  ...(acceptedExternalId === undefined
                    ? {}
                    : { ":externalId": acceptedExternalId }),
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  PK: keys.healthHistory(account.tenantId, account.accountId),
                  SK: health.lastCheckedAt,
                  type: "HEALTH_CHECK",
                  state: health.state,
                  latencyMs: health.latencyMs,
                  ...(health.lastErrorCode && health.consecutiveFailures > 0
                    ? { code: health.lastErrorCode }
                    : {}),
                  [TABLE_KEYS.ttlAttribute]: ttl,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (cancellationReasons(err)?.[0] === "ConditionalCheckFailed") return false;
      rethrowDynamo(err);
    }
  }

  /** The account's most recent checks, newest first. */
  async history(tenantId: string, accountId: string, limit: number): Promise<HealthCheckRecord[]> {
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": keys.healthHistory(tenantId, accountId) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((i) => ({
        at: String(i.SK),
        state: i.state as HealthCheckRecord["state"],
        latencyMs: Number(i.latencyMs),
        ...(typeof i.code === "string" ? { code: i.code } : {}),
      }));
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async writeSummary(summary: SweepSummary): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...SUMMARY_KEY, type: "SWEEP_SUMMARY", ...summary },
        }),
      );
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  /**
   * Takes (or, for the sweep holding it, renews) the one lease that lets a sweep run until
   * `untilMs`: false while another sweep holds an unexpired one.
   */
  async acquireLease(sweepId: string, nowMs: number, untilMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...LEASE_KEY, type: "SWEEP_LEASE", sweepId, expiresAtMs: untilMs },
          ConditionExpression: "attribute_not_exists(PK) OR sweepId = :me OR expiresAtMs < :now",
          ExpressionAttributeValues: { ":me": sweepId, ":now": nowMs },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }

  /** Ends the sweep's lease (if it still holds it), so the next scheduled sweep starts at once. */
  async releaseLease(sweepId: string): Promise<void> {
    await this.acquireLease(sweepId, 0, 0);
  }

  async summary(): Promise<SweepSummary | undefined> {
    const item = await getConsistent(this.doc, this.tableName, SUMMARY_KEY);
    return item ? (withoutTableAttributes(item) as unknown as SweepSummary) : undefined;
  }
}

const SUMMARY_KEY = { PK: "SWEEP", SK: "LAST" };
const LEASE_KEY = { PK: "SWEEP", SK: "LEASE" };

export interface HealthCheckRecord {
  at: string;
  state: "HEALTHY" | "DEGRADED" | "UNHEALTHY";
  latencyMs: number;
  code?: string;
}
