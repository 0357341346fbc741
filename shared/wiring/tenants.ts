/**
 * Composition root of the tenants area (tenants, API keys). Their services are built in common.ts:
 * every function authenticates its caller (API keys) and most read the tenant.
 */
import { DynamoRotationStore } from "../adapters/dynamo-tenant-store";
import { cryptoRandom, systemClock } from "../adapters/system";
import { ExternalIdRotation } from "../services/external-id-rotation";
import {
  apiKeyServiceWith,
  auditTrail,
  config,
  documentClient,
  listingIndex,
  once,
  tenantServiceWith,
} from "./common";

export { apiKeyService, tenantService } from "./common";

const rotationStore = /* @__PURE__ */ once(
  () => new DynamoRotationStore(documentClient(), config().tableName),
);

/** POST .../external-id/rotate: the only function that reads all of a tenant's accounts to rotate. */
export const externalIdRotation = /* @__PURE__ */ once(
  () =>
    new ExternalIdRotation({
      tenants: rotationStore(),
      accounts: rotationStore(),
      trail: auditTrail(),
      clock: systemClock,
      random: cryptoRandom,
      externalIdOverlapSeconds: config().externalIdOverlapSeconds,
    }),
);

/** The same services, able to list (with the cursor key): GET /v1/tenants and /v1/api-keys. */
export const tenantListing = /* @__PURE__ */ once(() => tenantServiceWith(listingIndex()));
export const apiKeyListing = /* @__PURE__ */ once(() => apiKeyServiceWith(listingIndex()));
