/**
 * Creates the first admin key of a deployed stage, directly in its table, with the operator's own
 * AWS credentials: `npx tsx ops/bootstrap-admin.ts <table-name>`. Prints the key once.
 * With ADMIN_API_KEY set, stores that value instead (idempotent).
 */
import { DynamoApiKeyStore } from "../shared/adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../shared/adapters/dynamo-audit-store";
import { createDocumentClient } from "../shared/adapters/dynamo-client";
import { cryptoRandom, systemClock } from "../shared/adapters/system";
import { systemActor } from "../shared/domain/audit";
import { ApiKeyService } from "../shared/services/api-key-service";
import { AuditTrail } from "../shared/services/audit-trail";

async function main() {
  const tableName = process.argv[2];
  if (!tableName) {
    console.error("usage: npx tsx ops/bootstrap-admin.ts <table-name>");
    process.exit(2);
  }
  const doc = createDocumentClient();
  const service = new ApiKeyService({
    keys: new DynamoApiKeyStore(doc, tableName),
    trail: new AuditTrail({
      audit: new DynamoAuditStore(doc, tableName, 365 * 24 * 3600),
      clock: systemClock,
    }),
    clock: systemClock,
    random: cryptoRandom,
    cacheTtlSeconds: 0,
  });
  if (process.env.ADMIN_API_KEY) {
    if (process.env.ADMIN_API_KEY.length < 32)
      throw new Error("ADMIN_API_KEY must be at least 32 characters");
    const key = await service.importAdminKey(process.env.ADMIN_API_KEY);
    console.log(`Stored ADMIN_API_KEY as ${key.keyId}`);
    return;
  }
  const { key, secret } = await service.create(
    { role: "admin", description: "bootstrap admin key" },
    systemActor(`bootstrap-${Date.now()}`, "bootstrap-admin"),
  );
  console.log(`keyId: ${key.keyId}`);
  console.log(`Admin API key: ${secret}`);
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
