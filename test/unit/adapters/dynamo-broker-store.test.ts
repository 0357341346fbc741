import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ThrottlingException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoBrokerStore } from "../../../shared/adapters/dynamo-broker-store";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { ServiceUnavailableError } from "../../../shared/errors";
import { ROOT } from "../../../tools/local-aws/local-stack";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const store = new DynamoBrokerStore(doc, "t");

/** The broker's state as table items: test/fixtures/broker-state.json (shared with the bench). */
const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/broker-state.json"), "utf8"));
const items: Record<string, unknown>[] = fixture.items;
const query = {
  tenantId: fixture.tenantId as string,
  accountId: fixture.accountId as string,
  service: "billing",
  permissionSet: "read",
};

beforeEach(() => ddb.reset());

describe("DynamoBrokerStore", () => {
  it("reads the whole decision in one strongly consistent BatchGetItem of five keys", async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { t: items } });
    const state = await store.load(query);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(1);
    const asked = calls[0]?.args[0].input.RequestItems?.t;
    expect(asked?.ConsistentRead).toBe(true);
    expect(asked?.Keys).toEqual([
      { PK: `TENANT#${query.tenantId}`, SK: "TENANT" },
      { PK: `TENANT#${query.tenantId}`, SK: `ACCOUNT#${query.accountId}` },
      { PK: "GRANT#billing", SK: `TENANT#${query.tenantId}` },
      { PK: "GRANT#billing", SK: "TENANT#*" },
      { PK: "PERMSET#read", SK: "PERMSET" },
    ]);
    expect(state.tenant).toMatchObject({ tenantId: query.tenantId, status: "ACTIVE" });
    expect(state.tenant).not.toHaveProperty("PK");
    expect(state.account).toMatchObject({ accountId: query.accountId, status: "VERIFIED" });
    expect(state.grantForTenant).toMatchObject({ service: "billing", permissionSets: ["read"] });
    expect(state.grantForAll).toBeUndefined();
    expect(state.permissionSet?.name).toBe("read");
  });

  it("asks for no permission set when none is named", async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { t: items.slice(0, 3) } });
    const { permissionSet: _p, ...noSet } = query;
    const state = await store.load(noSet);
    expect(ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.t?.Keys).toHaveLength(
      4,
    );
    expect(state.permissionSet).toBeUndefined();
  });

  it("asks again for unprocessed keys only", async () => {
    const unprocessed = [{ PK: "PERMSET#read", SK: "PERMSET" }];
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { t: items.slice(0, 3) },
        UnprocessedKeys: { t: { Keys: unprocessed } },
      })
      .resolves({ Responses: { t: items.slice(3) } });
    const state = await store.load(query);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.t?.Keys).toEqual(unprocessed);
    expect(state.permissionSet?.name).toBe("read");
  });

  it("answers 503 when DynamoDB throttles", async () => {
    ddb.on(BatchGetCommand).rejects(new ThrottlingException({ message: "slow", $metadata: {} }));
    await expect(store.load(query)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
