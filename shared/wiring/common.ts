import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoApiKeyStore } from "../adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../adapters/dynamo-audit-store";
import { createDocumentClient } from "../adapters/dynamo-client";
import { DynamoIdempotencyStore } from "../adapters/dynamo-idempotency-store";
import { DynamoRateCounterStore } from "../adapters/dynamo-rate-counter-store";
import { DynamoTenantReader, DynamoTenantStore } from "../adapters/dynamo-tenant-store";
import { PowertoolsMetricsSink } from "../adapters/powertools-metrics";
import { SecretsManagerCursorKey } from "../adapters/secrets-manager-cursor-key";
import { listingOptions, type ShardedIndexOptions } from "../adapters/sharded-index";
import { cryptoRandom, systemClock } from "../adapters/system";
import {
  type ControlPlaneConfig,
  loadAccessConfig,
  loadAuditConfig,
  loadConfig,
  loadRateLimitConfig,
  requireEnv,
} from "../config";
import type { HttpDeps } from "../http/handler";
import { logger } from "../logger";
import { ApiKeyService } from "../services/api-key-service";
import { AuditTrail } from "../services/audit-trail";
import { RateLimiter } from "../services/rate-limiter";
import { TenantLookup } from "../services/tenant-lookup";
import { TenantService } from "../services/tenant-service";

/**
 * Composition root: SDK clients and services are built once per container, on first use, and
 * shared by every invocation the container serves.
 */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export const config = /* @__PURE__ */ once<ControlPlaneConfig>(() => loadConfig());
export const documentClient = /* @__PURE__ */ once(() => createDocumentClient());

export const auditStore = /* @__PURE__ */ once(
  () =>
    new DynamoAuditStore(documentClient(), config().tableName, loadAuditConfig().retentionSeconds),
);

/** One record per change, in the tenant's trail or the platform's. */
export const auditTrail = /* @__PURE__ */ once(
  () =>
    new AuditTrail({
      audit: auditStore(),
      clock: systemClock,
      // The change is made: its record goes to the log rather than a 503 the client would retry.
      onWriteFailure: (record, err) =>
        logger.error("audit record not written to the trail", {
          auditRecord: record,
          error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
        }),
    }),
);

/** `index`: with the cursor key where the service lists (`listingOptions`, shared/adapters/sharded-index.ts). */
export const apiKeyServiceWith = (index?: ShardedIndexOptions) =>
  new ApiKeyService({
    keys: new DynamoApiKeyStore(documentClient(), config().tableName, index),
    trail: auditTrail(),
    clock: systemClock,
    random: cryptoRandom,
    cacheTtlSeconds: config().apiKeyCacheTtlSeconds,
  });

export const apiKeyService = /* @__PURE__ */ once(() => apiKeyServiceWith());

export const tenantServiceWith = (index?: ShardedIndexOptions) =>
  new TenantService({
    tenants: new DynamoTenantStore(documentClient(), config().tableName, index),
    trail: auditTrail(),
    clock: systemClock,
    random: cryptoRandom,
  });

export const tenantService = /* @__PURE__ */ once(() => tenantServiceWith());

/** "Is the tenant there and ACTIVE?", for the services outside the tenants area. */
export const tenantLookup = /* @__PURE__ */ once(
  () => new TenantLookup(new DynamoTenantReader(documentClient(), config().tableName)),
);

/** CloudWatch metrics (embedded metric format), for the functions that emit them. */
export const metricsSink = /* @__PURE__ */ once(() => new PowertoolsMetricsSink());

/** Rate limits of the routes that declare one (`rateLimit` in their route). */
export const rateLimiter = /* @__PURE__ */ once(
  () =>
    new RateLimiter({
      counters: new DynamoRateCounterStore(documentClient(), config().tableName),
      clock: systemClock,
      limits: loadRateLimitConfig(),
    }),
);

export const httpDeps = /* @__PURE__ */ once<HttpDeps>(() => ({
  authenticate: (secret, options) => apiKeyService().authenticate(secret, options),
  admit: (scope, subject) => rateLimiter().admit(scope, subject),
  maxBodyBytes: config().maxBodyBytes,
}));

/**
 * The sharded index with the cursor key, for the functions that list across pages (tenants, API
 * keys, grants, the sweep, organizations). Only their bundles carry the Secrets Manager client:
 * the rest never reference this.
 */
export const cursorKey = /* @__PURE__ */ once(
  () =>
    new SecretsManagerCursorKey(new SecretsManagerClient({}), requireEnv("CURSOR_KEY_SECRET_ARN")),
);

export const listingIndex = /* @__PURE__ */ once(() => listingOptions(cursorKey()));

export const accessConfig = /* @__PURE__ */ once(() => loadAccessConfig());

/** Idempotency-Key records (shared/http/idempotency.ts): in the table, for 24 hours. */
export const idempotencyOptions = /* @__PURE__ */ once(() => ({
  store: new DynamoIdempotencyStore(documentClient(), config().tableName),
  clock: systemClock,
  expiresAfterSeconds: 24 * 3600,
}));

/** The principal tenant trust policies name: this account, this partition. */
export const principal = () => ({
  partition: accessConfig().partition,
  accountId: accessConfig().controlPlaneAccountId,
});
