import type { Actor } from "../domain/audit";
import { ExternalIdTakenError } from "../domain/errors";
import { generateExternalId } from "../domain/external-id";
import { newTenantId } from "../domain/ids";
import type { RandomSource } from "../domain/random";
import type { Tenant } from "../domain/tenant";
import { TenantNotFoundError } from "../errors";
import type { Clock, Page, PageRequest } from "../ports/common";
import type { TenantStore } from "../ports/tenants";
import type { AuditTrail } from "./audit-trail";
import { TenantLookup } from "./tenant-lookup";

export interface TenantServiceDeps {
  tenants: TenantStore;
  trail: AuditTrail;
  clock: Clock;
  random: RandomSource;
}

/** A collision of 192-bit random IDs is practically impossible; a few redraws bound the loop anyway. */
const MAX_EXTERNAL_ID_DRAWS = 3;

export class TenantService {
  private readonly lookup: TenantLookup;

  constructor(private readonly deps: TenantServiceDeps) {
    this.lookup = new TenantLookup(deps.tenants);
  }

  async create(name: string, actor: Actor): Promise<Tenant> {
    const now = this.deps.clock.now();
    const tenantId = newTenantId(now.getTime(), this.deps.random);
    for (let draw = 1; ; draw++) {
      const tenant: Tenant = {
        tenantId,
        name,
        status: "ACTIVE",
        externalId: {
          current: generateExternalId(this.deps.random),
          currentSince: now.toISOString(),
        },
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        version: 1,
      };
      try {
        await this.deps.tenants.create(tenant);
        await this.deps.trail.record(actor, { action: "TENANT_CREATE", tenantId });
        return tenant;
      } catch (err) {
        if (err instanceof ExternalIdTakenError && draw < MAX_EXTERNAL_ID_DRAWS) continue;
        throw err;
      }
    }
  }

  /** The tenant, or TenantNotFoundError; a tenant being deleted no longer exists for callers. */
  get(tenantId: string): Promise<Tenant> {
    return this.lookup.get(tenantId);
  }

  async list(page: PageRequest): Promise<Page<Tenant>> {
    const result = await this.deps.tenants.list(page);
    return { ...result, items: result.items.filter((t) => t.status === "ACTIVE") };
  }

  /** Suspends (no sessions are issued for it, at once) or resumes a tenant. */
  async setSuspended(tenantId: string, suspended: boolean, actor: Actor): Promise<Tenant> {
    const tenant = await this.deps.tenants.setSuspended(
      tenantId,
      suspended,
      this.deps.clock.now().toISOString(),
    );
    if (!tenant) throw new TenantNotFoundError(tenantId);
    await this.deps.trail.record(actor, {
      action: suspended ? "TENANT_SUSPEND" : "TENANT_RESUME",
      tenantId,
    });
    return tenant;
  }

  /**
   * Deletion first marks the tenant DELETING (so nothing new attaches and it disappears from reads),
   * then removes what hangs off it. A crash in between leaves a DELETING tenant that a repeated
   * DELETE finishes. Audit records are kept: they are not stored under the tenant.
   */
  async delete(tenantId: string, actor: Actor): Promise<void> {
    const existed = await this.deps.tenants.markDeleting(
      tenantId,
      this.deps.clock.now().toISOString(),
    );
    if (!existed) throw new TenantNotFoundError(tenantId);
    await this.deps.tenants.purge(tenantId);
    await this.deps.trail.record(actor, { action: "TENANT_DELETE", tenantId });
  }
}
