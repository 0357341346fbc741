import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import {
  DynamoRotationStore,
  DynamoTenantStore,
} from "../../../shared/adapters/dynamo-tenant-store";
import { ExternalIdTakenError, StaleTenantError } from "../../../shared/domain/errors";
import type { Tenant } from "../../../shared/domain/tenant";
import { ServiceUnavailableError } from "../../../shared/errors";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const store = new DynamoTenantStore(doc, "t");

const tenant: Tenant = {
  tenantId: "tnt_a",
  name: "A",
  status: "ACTIVE",
  externalId: { current: "cpx-1", currentSince: "2026-11-23T10:00:00.000Z" },
  createdAt: "2026-11-23T10:00:00.000Z",
  updatedAt: "2026-11-23T10:00:00.000Z",
  version: 3,
};

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => ddb.reset());

describe("DynamoTenantStore", () => {
  it("creates the tenant and reserves its external ID in one transaction", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.create(tenant);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(
      items.map((i) => [i.Put?.Item?.PK, i.Put?.Item?.SK, i.Put?.ConditionExpression]),
    ).toEqual([
      ["TENANT#tnt_a", "TENANT", "attribute_not_exists(PK)"],
      ["EXTID#cpx-1", "EXTID", "attribute_not_exists(PK)"],
      ["TENANT#tnt_a", "EXTID#cpx-1", undefined],
    ]);
  });

  it.each([
    [
      "the external ID is taken",
      cancelled("None", "ConditionalCheckFailed", "None"),
      ExternalIdTakenError,
    ],
    [
      "DynamoDB throttles",
      new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }),
      ServiceUnavailableError,
    ],
  ])("create: when %s", async (_case, error, expected) => {
    ddb.on(TransactWriteCommand).rejects(error);
    await expect(store.create(tenant)).rejects.toBeInstanceOf(expected);
  });

  it.each([
    [
      "the tenant changed (version check)",
      cancelled("ConditionalCheckFailed", "None", "None"),
      StaleTenantError,
    ],
    [
      "another transaction conflicts",
      cancelled("TransactionConflict", "None", "None"),
      StaleTenantError,
    ],
    [
      "the new external ID is taken",
      cancelled("None", "ConditionalCheckFailed", "None"),
      ExternalIdTakenError,
    ],
  ])("updateExternalId: when %s", async (_case, error, expected) => {
    ddb.on(TransactWriteCommand).rejects(error);
    const next = { current: "cpx-2", currentSince: "2026-11-23T11:00:00.000Z" };
    await expect(
      store.updateExternalId(tenant, next, "2026-11-23T11:00:00.000Z"),
    ).rejects.toBeInstanceOf(expected);
  });

  it("updateExternalId returns what it wrote, conditioned on the version it read", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const next = {
      current: "cpx-2",
      currentSince: "2026-11-23T11:00:00.000Z",
      previous: "cpx-1",
      previousValidUntil: "2026-11-24T11:00:00.000Z",
    };
    const out = await store.updateExternalId(tenant, next, "2026-11-23T11:00:00.000Z");
    expect(out).toEqual({
      ...tenant,
      externalId: next,
      updatedAt: "2026-11-23T11:00:00.000Z",
      version: 4,
    });
    const update =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.ExpressionAttributeValues?.[":expected"]).toBe(3);
  });

  it("markDeleting reports a missing tenant as false", async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: "no", $metadata: {} }));
    await expect(store.markDeleting("tnt_a", "2026-11-23T11:00:00.000Z")).resolves.toBe(false);
  });

  it("purge deletes keys, reservations and pointers, and the tenant item last, across pages", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { PK: "TENANT#tnt_a", SK: "TENANT" },
          { PK: "TENANT#tnt_a", SK: "APIKEY#key_1", ref: { PK: "APIKEY#h1", SK: "APIKEY" } },
        ],
        LastEvaluatedKey: { PK: "TENANT#tnt_a", SK: "APIKEY#key_1" },
      })
      .resolvesOnce({
        Items: [{ PK: "TENANT#tnt_a", SK: "EXTID#cpx-1", ref: { PK: "EXTID#cpx-1", SK: "EXTID" } }],
      });
    ddb.on(BatchWriteCommand).resolves({});
    await store.purge("tnt_a");
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.t ?? [])
      .map((r) => `${r.DeleteRequest?.Key?.PK}/${r.DeleteRequest?.Key?.SK}`);
    expect(deleted).toEqual([
      "APIKEY#h1/APIKEY",
      "TENANT#tnt_a/APIKEY#key_1",
      "EXTID#cpx-1/EXTID",
      "TENANT#tnt_a/EXTID#cpx-1",
      "TENANT#tnt_a/TENANT",
    ]);
  });

  it("purge re-sends unprocessed items", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: { t: [{ DeleteRequest: { Key: { PK: "TENANT#tnt_a", SK: "TENANT" } } }] },
      })
      .resolves({});
    await store.purge("tnt_a");
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(2);
  });
});

describe("server faults", () => {
  it("any 5xx from DynamoDB becomes a 503, whatever its name", async () => {
    const fault = Object.assign(new Error("<html>Internal Server Error</html>"), {
      name: "SyntaxError",
      $fault: "server",
      $metadata: { httpStatusCode: 500 },
    });
    ddb.on(TransactWriteCommand).rejects(fault);
    await expect(store.create(tenant)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe("DynamoRotationStore", () => {
  const rotation = new DynamoRotationStore(doc, "t");

  it("reads every account of the tenant, page after page, strongly consistent, only what the rule needs", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ accountId: "111111111111", status: "VERIFIED", acceptedExternalId: "cpx-1" }],
        LastEvaluatedKey: { PK: "TENANT#tnt_a", SK: "ACCOUNT#111111111111" },
      })
      .resolvesOnce({ Items: [{ accountId: "222222222222", status: "FAILED" }] });
    await expect(rotation.rotationAccounts("tnt_a")).resolves.toEqual([
      { accountId: "111111111111", status: "VERIFIED", acceptedExternalId: "cpx-1" },
      { accountId: "222222222222", status: "FAILED" },
    ]);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": "TENANT#tnt_a", ":prefix": "ACCOUNT#" },
      ProjectionExpression: "accountId, #status, acceptedExternalId",
      ConsistentRead: true,
    });
    expect(calls[1]?.ExclusiveStartKey).toEqual({ PK: "TENANT#tnt_a", SK: "ACCOUNT#111111111111" });
  });

  it("a throttled read is a 503, not a rotation that skipped the accounts", async () => {
    ddb
      .on(QueryCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: "slow", $metadata: {} }));
    await expect(rotation.rotationAccounts("tnt_a")).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });
});
