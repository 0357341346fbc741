/**
 * The single DynamoDB table. infra/control-plane/table.yml declares the same keys (a test compares
 * them), and
 * tools/local-aws/local-stack creates it from this definition on the emulator.
 *
 * Items (PK / SK):
 *   TENANT#<tenantId> / TENANT           the tenant; GSI1 INDEX#TENANT#<shard> / <tenantId> lists
 *                                        tenants (shard: shared/adapters/sharded-index.ts)
 *   TENANT#<tenantId> / APIKEY#<keyId>   pointer to a tenant-bound key, so deletion finds it
 *   EXTID#<externalId> / EXTID           reservation that makes external IDs unique across tenants
 *   APIKEY#<sha256 of secret> / APIKEY   an API key, looked up by the hash of the presented secret;
 *                                        GSI1 INDEX#APIKEY#<shard> / <keyId> lists keys, finds one
 *   TENANT#<tenantId> / ACCOUNT#<id>     a registered AWS account; GSI1 INDEX#ACCOUNT#<shard> /
 *                                        <spread>#<tenantId>#<id> lists every account (the health
 *                                        sweep; spread: sharded-index.ts, accountIndexSortKey)
 *   REGTOKEN#<sha256 of token> / REGTOKEN  an onboarding registration token, with its tenant
 *   TENANT#<tenantId> / REGTOKEN#<hash>  pointer to it, so deletion finds it
 *
 *   PERMSET#<name> / PERMSET             a permission set; GSI1 PERMSET / <name>
 *   GRANT#<service> / TENANT#<id or *>   a grant; GSI1 INDEX#GRANT#<shard> / <grantId>; a pointer
 *                                        TENANT#<id> / GRANT#<grantId> for tenant-specific ones
 *   HEALTH#<tenantId>#<accountId> / <at> a health check of an account, expiring by TTL
 *   SWEEP / LAST                         the last health sweep's summary
 *   SWEEP / RUN, SWEEP / WORKER#<n>      the current sweep (its period) and each worker's lease,
 *                                        position and totals (shared/services/health-sweep.ts)
 *   SWEEPBUDGET#<key> / <time slot>      AssumeRole tokens the sweep's workers took in that slot
 *                                        (shared/services/rate-budget.ts), expiring by TTL
 *   IDEMPOTENCY#<operation> / <sha256 of key id, operation, key>  an Idempotency-Key record
 *                                        (shared/http/idempotency.ts), expiring by TTL after 24 hours
 *   AUDIT#<tenantId> / <at>#<requestId>#<n>  an audit record of the tenant's trail, expiring by
 *                                        TTL; not under TENANT#, so deleting the tenant keeps it
 *   AUDIT-PLATFORM / <at>#<requestId>#<n>  an audit record of the platform's trail (GET /v1/audit)
 *   TENANT#<tenantId> / ORG              the tenant's organization; GSI1 INDEX#ORG#<shard> / <tenantId>
 *   TENANT#<tenantId> / ORGJOB           its latest connect or sync job, with the job's lease
 *   TENANT#<tenantId> / ORGJOB#STATE#<jobId>#<save>#<n>  the job's saved state, gzip-compressed
 *                                        JSON in chunks (shared/adapters/dynamo-organization-job-store.ts)
 *   RATE#<bucket>#<subject> / <window start>  a rate-limit counter of one minute, expiring by TTL
 *
 * A session request reads TENANT, ACCOUNT, both GRANT items and PERMSET in one BatchGetItem.
 * Pointer items carry `ref` ({PK, SK}): the item they stand for, deleted with them.
 */
export const TABLE_KEYS = {
  partitionKey: "PK",
  sortKey: "SK",
  gsi1: { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
  ttlAttribute: "expiresAt",
} as const;

export const keys = {
  tenant: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: "TENANT" }),
  tenantPartition: (tenantId: string) => `TENANT#${tenantId}`,
  tenantKeyPointer: (tenantId: string, keyId: string) => ({
    PK: `TENANT#${tenantId}`,
    SK: `APIKEY#${keyId}`,
  }),
  externalId: (externalId: string) => ({ PK: `EXTID#${externalId}`, SK: "EXTID" }),
  apiKey: (hash: string) => ({ PK: `APIKEY#${hash}`, SK: "APIKEY" }),
  account: (tenantId: string, accountId: string) => ({
    PK: `TENANT#${tenantId}`,
    SK: `ACCOUNT#${accountId}`,
  }),
  registrationToken: (hash: string) => ({ PK: `REGTOKEN#${hash}`, SK: "REGTOKEN" }),
  organization: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: "ORG" }),
  organizationJob: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: "ORGJOB" }),
  permissionSet: (name: string) => ({ PK: `PERMSET#${name}`, SK: "PERMSET" }),
  grantPartition: (service: string) => `GRANT#${service}`,
  grant: (service: string, tenantId: string) => ({
    PK: `GRANT#${service}`,
    SK: `TENANT#${tenantId}`,
  }),
  auditPartition: (tenantId: string) => `AUDIT#${tenantId}`,
  platformAudit: "AUDIT-PLATFORM",
  healthHistory: (tenantId: string, accountId: string) => `HEALTH#${tenantId}#${accountId}`,
  idempotency: (scope: string, keyHash: string) => ({ PK: `IDEMPOTENCY#${scope}`, SK: keyHash }),
  sweepBudget: (key: number, slot: number) => ({ PK: `SWEEPBUDGET#${key}`, SK: String(slot) }),
  sweepRun: { PK: "SWEEP", SK: "RUN" },
  sweepWorker: (worker: number) => ({
    PK: "SWEEP",
    SK: `WORKER#${String(worker).padStart(3, "0")}`,
  }),
  rateCounter: (subject: string, windowStart: number) => ({
    PK: `RATE#${subject}`,
    SK: String(windowStart),
  }),
} as const;

/** Platform-defined and few: one index partition. The lists that grow are sharded (sharded-index.ts). */
export const GSI1_PERMISSION_SETS = "PERMSET";

/** The CreateTable input used on the emulator; mirrors infra/control-plane/table.yml. */
export function createTableInput(tableName: string) {
  const { partitionKey, sortKey, gsi1 } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: "S" as const,
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" as const },
      { AttributeName: sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: gsi1.name,
        KeySchema: [
          { AttributeName: gsi1.partitionKey, KeyType: "HASH" as const },
          { AttributeName: gsi1.sortKey, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      },
    ],
  };
}

/**
 * The transaction item that lets something attach to a tenant only while it is ACTIVE (not being
 * deleted): API keys, accounts, grants and registration tokens all use it, so that a tenant
 * deletion and a concurrent attachment can never both succeed.
 */
export function tenantIsActive(tableName: string, tenantId: string) {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.tenant(tenantId),
      ConditionExpression: "#status = :active",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":active": "ACTIVE" },
    },
  };
}

/**
 * Binds a registration token to a stack: only if the token exists and is unbound or bound to that
 * stack already. One update, alone (a token of the days before binding) or in the transaction that
 * stores a stack's registration (versioned-put's guard).
 */
export function bindRegistrationToken(
  tableName: string,
  tokenHash: string,
  stackId: string,
  at: string,
) {
  return {
    TableName: tableName,
    Key: keys.registrationToken(tokenHash),
    UpdateExpression: "SET boundStackId = :stack, boundAt = if_not_exists(boundAt, :at)",
    ConditionExpression:
      "attribute_exists(PK) AND (attribute_not_exists(boundStackId) OR boundStackId = :stack)",
    ExpressionAttributeValues: { ":stack": stackId, ":at": at },
  };
}
