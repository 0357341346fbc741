import type { Tenant } from "../domain/tenant";
import { TenantNotFoundError } from "../errors";
import type { TenantStore } from "../ports/tenants";

/**
 * The check every tenant-scoped operation makes first: the tenant exists and is ACTIVE, or 404
 * TENANT_NOT_FOUND. Apart from TenantService, so that functions outside the tenants area carry
 * only this.
 */
export class TenantLookup {
  constructor(private readonly tenants: Pick<TenantStore, "get">) {}

  async get(tenantId: string): Promise<Tenant> {
    const tenant = await this.tenants.get(tenantId);
    if (tenant === undefined || tenant.status !== "ACTIVE") throw new TenantNotFoundError(tenantId);
    return tenant;
  }
}
