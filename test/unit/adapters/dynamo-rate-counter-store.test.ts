import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { DynamoRateCounterStore } from "../../../shared/adapters/dynamo-rate-counter-store";
import { ServiceUnavailableError } from "../../../shared/errors";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const store = new DynamoRateCounterStore(doc, "t");

beforeEach(() => ddb.reset());

describe("DynamoRateCounterStore", () => {
  it("counts with one conditional UpdateItem on the subject's window", async () => {
    ddb.on(UpdateCommand).resolves({});
    await expect(store.take("tenant#tnt_a", 1_764_669_600_000, 120, 1_764_669_720)).resolves.toBe(
      true,
    );
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Key: { PK: "RATE#tenant#tnt_a", SK: "1764669600000" },
      UpdateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
      ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
      ExpressionAttributeValues: { ":one": 1, ":limit": 120, ":expiresAt": 1_764_669_720 },
    });
  });

  it("a full window is a refusal, not an error", async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: "full", $metadata: {} }));
    await expect(store.take("tenant#tnt_a", 0, 1, 120)).resolves.toBe(false);
  });

  it("answers 503 when DynamoDB throttles", async () => {
    ddb
      .on(UpdateCommand)
      .rejects(
        Object.assign(new Error("slow"), { name: "ProvisionedThroughputExceededException" }),
      );
    await expect(store.take("tenant#tnt_a", 0, 1, 120)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });
});
