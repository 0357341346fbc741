import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { DynamoIdempotencyStore } from "../../../shared/adapters/dynamo-idempotency-store";
import { ServiceUnavailableError } from "../../../shared/errors";
import type { IdempotencyRecord } from "../../../shared/ports/common";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const store = new DynamoIdempotencyStore(doc, "t");
const NOW = Date.parse("2026-12-02T10:00:00.000Z");
const record: IdempotencyRecord = {
  status: "IN_PROGRESS",
  requestHash: "h1",
  expiresAt: NOW / 1000 + 86400,
  inProgressUntil: NOW + 10_000,
};
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: "held", $metadata: {} });

beforeEach(() => ddb.reset());

describe("DynamoIdempotencyStore", () => {
  it("takes a key with one conditional PutItem that only an expired or abandoned record lets through", async () => {
    ddb.on(PutCommand).resolves({});
    await expect(store.claim("createTenant", "k1", record, NOW)).resolves.toEqual({
      claimed: true,
    });
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toEqual({
      PK: "IDEMPOTENCY#createTenant",
      SK: "k1",
      type: "IDEMPOTENCY",
      status: "IN_PROGRESS",
      requestHash: "h1",
      expiresAt: record.expiresAt,
      inProgressUntil: record.inProgressUntil,
    });
    expect(put?.ConditionExpression).toBe(
      "attribute_not_exists(PK) OR #expiresAt < :nowSeconds OR (#status = :inProgress AND inProgressUntil < :nowMs)",
    );
    expect(put?.ExpressionAttributeValues).toEqual({
      ":nowSeconds": NOW / 1000,
      ":nowMs": NOW,
      ":inProgress": "IN_PROGRESS",
    });
  });

  it("reports who holds a key, with its stored answer, read strongly consistent", async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({
      Item: {
        PK: "IDEMPOTENCY#createTenant",
        SK: "k1",
        status: "COMPLETED",
        requestHash: "h1",
        response: JSON.stringify({ status: 201, body: { tenantId: "tnt_1" } }),
        expiresAt: record.expiresAt,
        inProgressUntil: record.inProgressUntil,
      },
    });
    await expect(store.claim("createTenant", "k1", record, NOW)).resolves.toEqual({
      claimed: false,
      holder: {
        ...record,
        status: "COMPLETED",
        response: { status: 201, body: { tenantId: "tnt_1" } },
      },
    });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it("a holder that vanished meanwhile is no holder", async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    await expect(store.claim("createTenant", "k1", record, NOW)).resolves.toEqual({
      claimed: false,
    });
  });

  it("stores the answer as JSON text with the completed record, and forgets a failed request", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    await store.complete("createTenant", "k1", {
      ...record,
      status: "COMPLETED",
      response: { status: 201, body: { list: [1, null] } },
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      status: "COMPLETED",
      response: '{"status":201,"body":{"list":[1,null]}}',
    });
    await store.release("createTenant", "k1");
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      PK: "IDEMPOTENCY#createTenant",
      SK: "k1",
    });
  });

  it("answers 503 when DynamoDB throttles", async () => {
    ddb
      .on(PutCommand)
      .rejects(
        Object.assign(new Error("slow"), { name: "ProvisionedThroughputExceededException" }),
      );
    await expect(store.claim("createTenant", "k1", record, NOW)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });
});
