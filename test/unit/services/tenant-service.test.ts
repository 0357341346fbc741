import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { DynamoTenantStore } from "../../../shared/adapters/dynamo-tenant-store";
import { ExternalIdTakenError } from "../../../shared/domain/errors";
import { ConflictError, TenantNotFoundError } from "../../../shared/errors";
import { AuditTrail } from "../../../shared/services/audit-trail";
import { TenantService } from "../../../shared/services/tenant-service";
import { ManualClock, SequenceRandom } from "../../support/fakes";
import { MemoryAuditStore, testActor } from "../../support/memory";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);

function service() {
  return new TenantService({
    tenants: new DynamoTenantStore(doc, "t"),
    trail: new AuditTrail({ audit: new MemoryAuditStore(), clock: new ManualClock() }),
    clock: new ManualClock(),
    random: new SequenceRandom(),
    externalIdOverlapSeconds: 3600,
  });
}

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: "cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const storedTenant = {
  PK: "TENANT#tnt_a",
  SK: "TENANT",
  tenantId: "tnt_a",
  name: "A",
  status: "ACTIVE",
  externalId: { current: "cpx-1", currentSince: "2026-11-23T09:00:00.000Z" },
  createdAt: "2026-11-23T09:00:00.000Z",
  updatedAt: "2026-11-23T09:00:00.000Z",
  version: 1,
};

beforeEach(() => ddb.reset());

describe("TenantService", () => {
  it("draws a new external ID when the first one is already reserved", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("None", "ConditionalCheckFailed", "None"))
      .resolves({});
    const tenant = await service().create("Acme", testActor());
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    const reserved = calls.map((c) => c.args[0].input.TransactItems?.[1]?.Put?.Item?.PK);
    expect(reserved[0]).not.toBe(reserved[1]);
    expect(reserved[1]).toBe(`EXTID#${tenant.externalId.current}`);
  });

  it("gives up after a bounded number of draws", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed", "None"));
    await expect(service().create("Acme", testActor())).rejects.toBeInstanceOf(
      ExternalIdTakenError,
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it("retries a rotation that lost a race, on the fresh version", async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: storedTenant })
      .resolves({ Item: { ...storedTenant, version: 2 } });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("ConditionalCheckFailed", "None", "None"))
      .resolves({});
    const rotated = await service().rotateExternalId("tnt_a", testActor());
    expect(rotated.version).toBe(3);
    const expectedVersions = ddb
      .commandCalls(TransactWriteCommand)
      .map(
        (c) => c.args[0].input.TransactItems?.[0]?.Update?.ExpressionAttributeValues?.[":expected"],
      );
    expect(expectedVersions).toEqual([1, 2]);
  });

  it("answers 409 when a rotation keeps losing races", async () => {
    ddb.on(GetCommand).resolves({ Item: storedTenant });
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict", "None", "None"));
    const err = await service()
      .rotateExternalId("tnt_a", testActor())
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("CONCURRENT_MODIFICATION");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(8);
  });

  it("treats a tenant being deleted as gone", async () => {
    ddb.on(GetCommand).resolves({ Item: { ...storedTenant, status: "DELETING" } });
    await expect(service().get("tnt_a")).rejects.toBeInstanceOf(TenantNotFoundError);
    await expect(service().rotateExternalId("tnt_a", testActor())).rejects.toBeInstanceOf(
      TenantNotFoundError,
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
