import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { TenantNotFoundError } from "../errors";
import type { RegistrationTokenRecord, RegistrationTokenStore } from "../ports";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { keys, TABLE_KEYS, tenantIsActive } from "./table";

export class DynamoRegistrationTokenStore implements RegistrationTokenStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(
    tokenHash: string,
    record: RegistrationTokenRecord,
    retainUntil: Date,
  ): Promise<void> {
    const ttl = Math.floor(retainUntil.getTime() / 1000);
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.registrationToken(tokenHash),
                  type: "REGTOKEN",
                  ...record,
                  [TABLE_KEYS.ttlAttribute]: ttl,
                },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  PK: keys.tenantPartition(record.tenantId),
                  SK: `REGTOKEN#${tokenHash}`,
                  type: "REGTOKEN_POINTER",
                  ref: keys.registrationToken(tokenHash),
                  [TABLE_KEYS.ttlAttribute]: ttl,
                },
              },
            },
            tenantIsActive(this.tableName, record.tenantId),
          ],
        }),
      );
    } catch (err) {
      if (cancellationReasons(err)?.[2] === "ConditionalCheckFailed")
        throw new TenantNotFoundError(record.tenantId);
      rethrowDynamo(err);
    }
  }

  async find(tokenHash: string): Promise<RegistrationTokenRecord | undefined> {
    try {
      const out = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.registrationToken(tokenHash),
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      return {
        tenantId: String(out.Item.tenantId),
        validUntil: String(out.Item.validUntil),
        createdAt: String(out.Item.createdAt),
      };
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}
