import { randomBytes } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type AuditRecord, auditTrailOf } from "../domain/audit";
import type { AuditStore, Page, PageRequest } from "../ports/common";
import { decodeCursor, encodeCursor } from "./cursor";
import { rethrowDynamo } from "./dynamo-errors";
import { withoutTableAttributes } from "./gsi1";
import { keys, TABLE_KEYS } from "./table";

export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
  ) {}

  async write(record: AuditRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(record.at) / 1000) + this.retentionSeconds;
    // Several records of one request in one millisecond (an organization sync, a redelivered
    // message) keep distinct keys: a random suffix, and a record never overwrites another.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.put(record, expiresAt);
        return;
      } catch (err) {
        const taken = err instanceof Error && err.name === "ConditionalCheckFailedException";
        if (!taken || attempt >= 3) rethrowDynamo(err);
      }
    }
  }

  private async put(record: AuditRecord, expiresAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        ConditionExpression: "attribute_not_exists(SK)",
        Item: {
          PK: partitionOf(auditTrailOf(record)),
          SK: `${record.at}#${record.requestId}#${randomBytes(6).toString("hex")}`,
          type: "AUDIT",
          recordVersion: 1,
          ...record,
          [TABLE_KEYS.ttlAttribute]: expiresAt,
        },
      }),
    );
  }

  list(tenantId: string, q: { from?: string; to?: string } & PageRequest) {
    return this.listTrail(keys.auditPartition(tenantId), q);
  }

  listPlatform(q: { from?: string; to?: string } & PageRequest) {
    return this.listTrail(keys.platformAudit, q);
  }

  private async listTrail(
    partition: string,
    q: { from?: string; to?: string } & PageRequest,
  ): Promise<Page<AuditRecord>> {
    const startKey = decodeCursor(q.cursor, { attributes: ["PK", "SK"], fixed: { PK: partition } });
    // Sort keys start with the ISO timestamp, so a time range is a key range ("~" sorts after "#").
    const from = q.from ?? "0000";
    const to = `${q.to ?? "9999"}~`;
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
          ExpressionAttributeValues: { ":pk": partition, ":from": from, ":to": to },
          ScanIndexForward: false,
          Limit: q.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      const items = (out.Items ?? []).map(
        (item) => withoutTableAttributes(item) as unknown as AuditRecord,
      );
      const nextCursor = encodeCursor(out.LastEvaluatedKey);
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}

function partitionOf(trail: string): string {
  return trail === "PLATFORM" ? keys.platformAudit : keys.auditPartition(trail);
}
