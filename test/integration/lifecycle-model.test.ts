import { describe, it } from "vitest";
import { DynamoAccountStore } from "../../shared/adapters/dynamo-account-store";
import { DynamoAuditStore } from "../../shared/adapters/dynamo-audit-store";
import { DynamoBrokerStore } from "../../shared/adapters/dynamo-broker-store";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { DynamoGrantStore } from "../../shared/adapters/dynamo-grant-store";
import { DynamoOrganizationJobStore } from "../../shared/adapters/dynamo-organization-job-store";
import { DynamoOrganizationStore } from "../../shared/adapters/dynamo-organization-store";
import { DynamoPermissionSetStore } from "../../shared/adapters/dynamo-permission-set-store";
import { DynamoRegistrationTokenStore } from "../../shared/adapters/dynamo-registration-token-store";
import { DynamoRotationStore, DynamoTenantStore } from "../../shared/adapters/dynamo-tenant-store";
import { dynamoClient } from "../../tools/local-aws/local-stack";
import { type ModelPorts, runLifecycleModel } from "../support/lifecycle-model";
import { endpoint, snapshot, useFreshTable } from "../support/table";

/**
 * The lifecycle model on the emulator's DynamoDB: the same commands and invariants as
 * test/unit/model, through the real adapters (conditional writes, tenant purge, audit trails).
 * Shorter than the in-memory run; a fresh table per run.
 */
async function dynamoPorts(): Promise<ModelPorts> {
  const table = await useFreshTable("model");
  const doc = createDocumentClient(dynamoClient(endpoint()));
  return {
    tenants: new DynamoTenantStore(doc, table),
    rotationAccounts: new DynamoRotationStore(doc, table),
    accounts: new DynamoAccountStore(doc, table),
    tokens: new DynamoRegistrationTokenStore(doc, table),
    organizations: new DynamoOrganizationStore(doc, table),
    jobs: new DynamoOrganizationJobStore(doc, table),
    audit: new DynamoAuditStore(doc, table, 3600),
    grants: new DynamoGrantStore(doc, table),
    permissionSets: new DynamoPermissionSetStore(doc, table),
    broker: new DynamoBrokerStore(doc, table),
    async remains(tenantId: string) {
      // Every item that mentions the tenant, except its audit trail.
      return (await snapshot(table)).filter(
        (item) => item.includes(tenantId) && !item.includes('"PK":{"S":"AUDIT'),
      );
    },
  };
}

describe("account lifecycle (model-based, on the emulator's DynamoDB)", () => {
  it("keeps its invariants through the DynamoDB adapters", async () => {
    // npm run test:model: at most 60 runs here (a table each), the long run is in memory.
    await runLifecycleModel(dynamoPorts, 10, 30, 60);
  }, 240_000);
});
