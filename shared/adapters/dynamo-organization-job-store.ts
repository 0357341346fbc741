import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { OrganizationJob } from "../domain/organization-job";
import type { OrganizationJobStore } from "../ports/organizations";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { DynamoOrganizationJobRecords, toOrganizationJob } from "./dynamo-organization-job-records";
import { keys } from "./table";

/**
 * Where the saved state is: the save's own id (never reused, so that no save overwrites the
 * chunks another one wrote, even a link that lost the lease without knowing), how many chunks,
 * their compressed size.
 */
interface StateRef {
  save: string;
  chunks: number;
  bytes: number;
}

type StoredJob = OrganizationJob & { state?: StateRef };

/** Under DynamoDB's 400 KB an item, with room for the keys. */
export const STATE_CHUNK_BYTES = 350_000;
/** Chunks a lost chain left behind expire (the live job's are replaced long before). */
const CHUNK_TTL_SECONDS = 7 * 24 * 3600;

const conditionFailed = (err: unknown) =>
  (err as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * The tenant's latest organization job: TENANT#<id> / ORGJOB, with its lease, and its saved
 * state as gzip-compressed JSON in chunks TENANT#<id> / ORGJOB#STATE#<jobId>#<save>#<n> (a job of
 * 5,000 members saves 27 KB of 316 KB of JSON). New chunks are written first, under a new save id; the job
 * item then points at them in one conditional update (only the lease's holder at
 * its sequence), and the older chunks are deleted. A save that lost the lease leaves its chunks
 * to expire by TTL. In the tenant's partition: deleting the tenant deletes them.
 */
export class DynamoOrganizationJobStore implements OrganizationJobStore {
  private readonly records: DynamoOrganizationJobRecords;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly chunkBytes = STATE_CHUNK_BYTES,
  ) {
    this.records = new DynamoOrganizationJobRecords(doc, tableName);
  }

  get(tenantId: string): Promise<OrganizationJob | undefined> {
    return this.records.get(tenantId);
  }

  async start(job: OrganizationJob, replacing: string | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.organizationJob(job.tenantId), type: "ORGANIZATION_JOB", ...job },
                ConditionExpression:
                  replacing === undefined ? "attribute_not_exists(PK)" : "jobId = :replacing",
                ...(replacing === undefined
                  ? {}
                  : { ExpressionAttributeValues: { ":replacing": replacing } }),
              },
            },
            // Only for a connection that is there, and not being disconnected.
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.organization(job.tenantId),
                ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(disconnecting)",
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (
        cancellationReasons(err)?.some(
          (r) => r === "ConditionalCheckFailed" || r === "TransactionConflict",
        )
      )
        return false;
      rethrowDynamo(err);
    }
  }

  async acquire(
    tenantId: string,
    jobId: string,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<OrganizationJob | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.organizationJob(tenantId),
          UpdateExpression: "SET holder = :me, leaseUntilMs = :until ADD seq :one",
          // Free or expired; or this chain's next link (the sequence it saw): a link delivered
          // twice finds the sequence moved on by the first delivery.
          ConditionExpression: `jobId = :job AND #status = :running AND (attribute_not_exists(holder) OR leaseUntilMs < :now${
            expectedSeq === undefined ? "" : " OR (holder = :me AND seq = :seq)"
          })`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":me": holder,
            ":until": untilMs,
            ":job": jobId,
            ":running": "RUNNING",
            ":now": nowMs,
            ":one": 1,
            ...(expectedSeq === undefined ? {} : { ":seq": expectedSeq }),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? toOrganizationJob(out.Attributes) : undefined;
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      rethrowDynamo(err);
    }
  }

  async loadState(job: OrganizationJob): Promise<unknown | undefined> {
    const ref = (job as StoredJob).state;
    if (!ref) return undefined;
    const parts: Uint8Array[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues: {
              ":pk": keys.tenantPartition(job.tenantId),
              ":prefix": chunkPrefix(job.jobId, ref.save),
            },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) parts.push(item.data as Uint8Array);
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      rethrowDynamo(err);
    }
    if (parts.length !== ref.chunks) return undefined; // never half a state
    return JSON.parse(gunzipSync(Buffer.concat(parts)).toString("utf8"));
  }

  async save(job: OrganizationJob, state: unknown | undefined): Promise<boolean> {
    const previous = (job as StoredJob).state;
    const { state: _ref, ...plain } = job as StoredJob;
    let ref: StateRef | undefined;
    try {
      if (state !== undefined) {
        const data = gzipSync(JSON.stringify(state));
        const chunks = Math.max(1, Math.ceil(data.length / this.chunkBytes));
        const save = `${String(job.seq).padStart(8, "0")}-${randomBytes(6).toString("hex")}`;
        const expiresAt = Math.floor(Date.now() / 1000) + CHUNK_TTL_SECONDS;
        for (let n = 0; n < chunks; n++)
          await this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...this.chunkKey(job, save, n),
                type: "ORGANIZATION_JOB_STATE",
                data: data.subarray(n * this.chunkBytes, (n + 1) * this.chunkBytes),
                expiresAt,
              },
            }),
          );
        ref = { save, chunks, bytes: data.length };
      }
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.organizationJob(job.tenantId),
            type: "ORGANIZATION_JOB",
            ...plain,
            ...(ref ? { state: ref } : {}),
          },
          ConditionExpression: "jobId = :job AND holder = :me AND seq = :seq",
          ExpressionAttributeValues: { ":job": job.jobId, ":me": job.holder, ":seq": job.seq },
        }),
      );
    } catch (err) {
      if (conditionFailed(err)) return false;
      rethrowDynamo(err);
    }
    if (ref) (job as StoredJob).state = ref;
    else delete (job as StoredJob).state;
    if (previous && previous.save !== ref?.save) await this.dropChunks(job, previous);
    return true;
  }

  delete(tenantId: string): Promise<void> {
    return this.records.delete(tenantId);
  }

  /** The saved state's size, for the bench and the tests. */
  static stateBytes(job: OrganizationJob): number {
    return (job as StoredJob).state?.bytes ?? 0;
  }

  private chunkKey(job: OrganizationJob, save: string, n: number) {
    return {
      PK: keys.tenantPartition(job.tenantId),
      SK: `${chunkPrefix(job.jobId, save)}${String(n).padStart(4, "0")}`,
    };
  }

  private async dropChunks(job: OrganizationJob, ref: StateRef): Promise<void> {
    // One DeleteItem a chunk (one, most often): the job's role needs no BatchWriteItem, which
    // would let it put any item of the partition. Best effort: what stays expires by TTL.
    for (let n = 0; n < ref.chunks; n++)
      await this.doc
        .send(
          new DeleteCommand({ TableName: this.tableName, Key: this.chunkKey(job, ref.save, n) }),
        )
        .catch(() => undefined);
  }
}

const chunkPrefix = (jobId: string, save: string) => `ORGJOB#STATE#${jobId}#${save}#`;
