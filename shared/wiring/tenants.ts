/**
 * Composition root of the tenants area (tenants, API keys). Their services are built in common.ts:
 * every function authenticates its caller (API keys) and most read the tenant.
 */
import { apiKeyServiceWith, listingIndex, once, tenantServiceWith } from "./common";

export { apiKeyService, tenantService } from "./common";

/** The same services, able to list (with the cursor key): GET /v1/tenants and /v1/api-keys. */
export const tenantListing = /* @__PURE__ */ once(() => tenantServiceWith(listingIndex()));
export const apiKeyListing = /* @__PURE__ */ once(() => apiKeyServiceWith(listingIndex()));
