import { ForbiddenError, TenantNotFoundError } from "../errors";
import type { ApiKeyRole, Caller } from "./api-key";

/**
 * Authorization rules, in one place. Routes name the roles they admit; routes about one tenant
 * additionally require that a tenant key belongs to that tenant. A tenant key asking about another
 * tenant gets the same 404 as for a tenant that does not exist, so existence never leaks.
 */
export function requireRole(caller: Caller, allowed: readonly ApiKeyRole[]): void {
  if (!allowed.includes(caller.role)) throw new ForbiddenError();
}

export function requireTenantAccess(caller: Caller, tenantId: string): void {
  if (caller.role === "admin") return;
  if (caller.role === "tenant") {
    if (caller.tenantId === tenantId) return;
    throw new TenantNotFoundError(tenantId);
  }
  throw new ForbiddenError();
}
