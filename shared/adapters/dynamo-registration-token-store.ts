import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { TenantNotFoundError } from "../errors";
import type { RegistrationTokenRecord, RegistrationTokenStore } from "../ports/accounts";
import { cancellationReasons, rethrowDynamo } from "./dynamo-errors";
import { getConsistent } from "./gsi1";
import { bindRegistrationToken, keys, TABLE_KEYS, tenantIsActive } from "./table";

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
    const item = await getConsistent(this.doc, this.tableName, keys.registrationToken(tokenHash));
    if (!item) return undefined;
    return {
      tenantId: String(item.tenantId),
      validUntil: String(item.validUntil),
      createdAt: String(item.createdAt),
      ...(typeof item.boundStackId === "string" ? { boundStackId: item.boundStackId } : {}),
    };
  }

  async bind(tokenHash: string, stackId: string, at: string): Promise<boolean> {
    try {
      // Conditional: of two stacks racing with one token, exactly one binds it.
      await this.doc.send(
        new UpdateCommand(bindRegistrationToken(this.tableName, tokenHash, stackId, at)),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") return false;
      rethrowDynamo(err);
    }
  }
}
