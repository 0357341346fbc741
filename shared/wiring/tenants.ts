/**
 * Composition root of the tenants area (tenants, API keys). Their services are built in common.ts:
 * every function authenticates its caller (API keys) and most read the tenant.
 */
export { apiKeyService, tenantService } from "./common";
