import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AccountHealth } from "../domain/health";
import type { Page } from "../ports/common";
import type {
  SweepRecords,
  SweepRun,
  SweepSummary,
  SweepWorkerState,
  SweptAccount,
} from "../ports/health";
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

  accounts(
    cursor: string | undefined,
    limit: number,
    shards?: number[],
  ): Promise<Page<SweptAccount>> {
    return this.index.page(
      "ACCOUNT",
      (item) => withoutTableAttributes(item) as unknown as SweptAccount,
      { limit, ...(cursor ? { cursor } : {}) },
      shards,
    );
  }

  async record(
    account: SweptAccount,
    health: AccountHealth,
    acceptedExternalId?: string,
    notCheckedSince?: string,
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
                // Not deleted, not re-registered or re-verified since it was read; not checked
                // in this period by another link.
                ConditionExpression: `attribute_exists(PK) AND roleArn = :roleArn AND updatedAt = :updatedAt${
                  notCheckedSince === undefined
                    ? ""
                    : " AND (attribute_not_exists(health.lastCheckedAt) OR health.lastCheckedAt < :since)"
                }`,
                ExpressionAttributeValues: {
                  ...(notCheckedSince === undefined ? {} : { ":since": notCheckedSince }),
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

  async currentRun(): Promise<SweepRun | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.sweepRun);
    return item ? (withoutTableAttributes(item) as unknown as SweepRun) : undefined;
  }

  async startRun(run: SweepRun, previousRunId: string | undefined): Promise<boolean> {
    const workers = Array.from({ length: run.workers }, (_, worker) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.sweepWorker(worker),
          type: "SWEEP_WORKER",
          worker,
          runId: run.runId,
          leaseUntilMs: 0,
          seq: 0,
          done: false,
        },
      },
    }));
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.sweepRun, type: "SWEEP_RUN", ...run },
                // Only over the run this start saw, finished (or over none).
                ConditionExpression:
                  previousRunId === undefined
                    ? "attribute_not_exists(PK)"
                    : "runId = :previous AND attribute_exists(finishedAt)",
                ...(previousRunId === undefined
                  ? {}
                  : { ExpressionAttributeValues: { ":previous": previousRunId } }),
              },
            },
            ...workers,
          ],
        }),
      );
      return true;
    } catch (err) {
      // Another start got there first (its transaction won, or is still being written).
      const reason = cancellationReasons(err)?.[0];
      if (reason === "ConditionalCheckFailed" || reason === "TransactionConflict") return false;
      rethrowDynamo(err);
    }
  }

  async workers(runId: string): Promise<SweepWorkerState[]> {
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :workers)",
          ExpressionAttributeValues: { ":pk": keys.sweepRun.PK, ":workers": "WORKER#" },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? [])
        .map((i) => withoutTableAttributes(i) as unknown as SweepWorkerState)
        .filter((w) => w.runId === runId);
    } catch (err) {
      rethrowDynamo(err);
    }
  }

  async acquireWorker(
    runId: string,
    worker: number,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<SweepWorkerState | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.sweepWorker(worker),
          UpdateExpression: "SET holder = :me, leaseUntilMs = :until ADD seq :one",
          // Free or expired; or this chain's next link (the sequence it saw): a link delivered
          // twice finds the sequence moved on by the first delivery.
          ConditionExpression: `runId = :run AND done = :false AND (attribute_not_exists(holder) OR leaseUntilMs < :now${
            expectedSeq === undefined ? "" : " OR (holder = :me AND seq = :seq)"
          })`,
          ExpressionAttributeValues: {
            ":me": holder,
            ":until": untilMs,
            ":run": runId,
            ":false": false,
            ":now": nowMs,
            ":one": 1,
            ...(expectedSeq === undefined ? {} : { ":seq": expectedSeq }),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return withoutTableAttributes(out.Attributes ?? {}) as unknown as SweepWorkerState;
    } catch (err) {
      if ((err as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
      rethrowDynamo(err);
    }
  }

  async saveWorker(state: SweepWorkerState & { holder: string }): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.sweepWorker(state.worker), type: "SWEEP_WORKER", ...state },
          // Only the lease's holder, at the sequence it took (a link that lost it does not).
          ConditionExpression: "runId = :run AND holder = :me AND seq = :seq AND done = :false",
          ExpressionAttributeValues: {
            ":run": state.runId,
            ":me": state.holder,
            ":seq": state.seq,
            ":false": false,
          },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }

  async finishRun(runId: string, summary: SweepSummary): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.sweepRun,
                UpdateExpression: "SET finishedAt = :at",
                ConditionExpression: "runId = :run AND attribute_not_exists(finishedAt)",
                ExpressionAttributeValues: { ":at": summary.finishedAt, ":run": runId },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...SUMMARY_KEY, type: "SWEEP_SUMMARY", ...summary },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      const reason = cancellationReasons(err)?.[0];
      if (reason === "ConditionalCheckFailed" || reason === "TransactionConflict") return false;
      rethrowDynamo(err);
    }
  }

  async summary(): Promise<SweepSummary | undefined> {
    const item = await getConsistent(this.doc, this.tableName, SUMMARY_KEY);
    return item ? (withoutTableAttributes(item) as unknown as SweepSummary) : undefined;
  }
}

const SUMMARY_KEY = { PK: "SWEEP", SK: "LAST" };

export interface HealthCheckRecord {
  at: string;
  state: "HEALTHY" | "DEGRADED" | "UNHEALTHY";
  latencyMs: number;
  code?: string;
}
