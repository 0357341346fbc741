import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoApiKeyStore } from "../../shared/adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../../shared/adapters/dynamo-audit-store";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { cryptoRandom, systemClock } from "../../shared/adapters/system";
import { systemActor } from "../../shared/domain/audit";
import { ApiKeyService } from "../../shared/services/api-key-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { createTable, dynamoClient } from "../../tools/local-aws/local-stack";

export function endpoint(): string {
  return process.env.AWS_ENDPOINT_URL as string;
}

/** A fresh table for one test file; sets TABLE_NAME before any handler module is loaded. */
export async function useFreshTable(name: string): Promise<string> {
  const tableName = `${name}-${process.pid}-${Date.now()}`;
  await createTable(endpoint(), tableName);
  process.env.TABLE_NAME = tableName;
  return tableName;
}

/** Every item in the table, rate counters included, sorted for comparison. */
export async function allItems(tableName: string): Promise<string[]> {
  const out = await dynamoClient(endpoint()).send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  return (out.Items ?? []).map((i) => JSON.stringify(i)).sort();
}

/**
 * The table's data (tests only: a Scan is fine on a test table), sorted for comparison. Without
 * the rate counters: a request that was admitted counts even when the service then refuses it,
 * and the counters are not data a refusal must leave unchanged (test/integration/rate-limit.test.ts
 * checks them).
 */
export async function snapshot(tableName: string): Promise<string[]> {
  return (await allItems(tableName)).filter((item) => !item.includes('"PK":{"S":"RATE#'));
}

/** Creates a key directly through the service (as the bootstrap does) and returns its secret. */
export async function seedKey(
  tableName: string,
  input: { role: "admin" | "tenant" | "service"; tenantId?: string; service?: string },
) {
  const doc = createDocumentClient(dynamoClient(endpoint()));
  const service = new ApiKeyService({
    keys: new DynamoApiKeyStore(doc, tableName),
    trail: new AuditTrail({
      audit: new DynamoAuditStore(doc, tableName, 3600),
      clock: systemClock,
    }),
    clock: systemClock,
    random: cryptoRandom,
    cacheTtlSeconds: 0,
  });
  return service.create(input, systemActor("seed", "test-seed"));
}

/** The table without its audit trails: what a refused or failed request must leave unchanged. */
export async function stateWithoutAudit(tableName: string): Promise<string[]> {
  return (await snapshot(tableName)).filter((item) => !item.includes('"PK":{"S":"AUDIT'));
}
