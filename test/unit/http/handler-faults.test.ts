import { ThrottlingException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { hashApiKey } from "../../../shared/domain/api-key";
import { api } from "../../support/api";

/** Faults injected at the SDK seam, through the real handler and its middleware stack. */
const ddb = mockClient(DynamoDBDocumentClient);
// mockClient patched the class itself: later files of this worker share it (vitest.config.ts).
afterAll(() => ddb.restore());
const ADMIN = "cpk_fault-injection-admin";
const adminItem = {
  PK: `APIKEY#${hashApiKey(ADMIN)}`,
  SK: "APIKEY",
  keyId: "key_1",
  role: "admin",
  createdAt: "2026-11-23T09:00:00.000Z",
};

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: adminItem });
});

describe("dependency faults through a handler", () => {
  it("DynamoDB throttling → 503 SERVICE_UNAVAILABLE with Retry-After", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: {} }));
    const res = await api({
      method: "POST",
      path: "/v1/tenants",
      key: ADMIN,
      body: { name: "Acme" },
    });
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("throttling while authenticating → 503, not 401", async () => {
    ddb
      .on(GetCommand)
      .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: {} }));
    const res = await api({ method: "GET", path: "/v1/tenants", key: ADMIN });
    expect(res.status).toBe(503);
  });

  it("an unexpected failure → 500 with a generic body", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(new TypeError("Cannot read properties of undefined (reading 'S')"));
    const res = await api({
      method: "POST",
      path: "/v1/tenants",
      key: ADMIN,
      body: { name: "Acme" },
    });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL_ERROR");
    expect(JSON.stringify(res.body)).not.toContain("reading 'S'");
  });
});
