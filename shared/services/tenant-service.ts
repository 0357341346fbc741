import type { Actor } from "../domain/audit";
import { ExternalIdTakenError, StaleTenantError } from "../domain/errors";
import { generateExternalId } from "../domain/external-id";
import { newTenantId } from "../domain/ids";
import { requireRotation, rotateExternalId, type Tenant } from "../domain/tenant";
import { ConflictError, TenantNotFoundError } from "../errors";
import type { Clock, Page, PageRequest, RandomSource, TenantStore } from "../ports";
import type { AuditTrail } from "./audit-trail";
import { TenantLookup } from "./tenant-lookup";

export interface TenantServiceDeps {
  tenants: TenantStore;
  trail: AuditTrail;
  clock: Clock;
  random: RandomSource;
  externalIdOverlapSeconds: number;
}

/** A collision of 192-bit random IDs is practically impossible; a few redraws bound the loop anyway. */
const MAX_EXTERNAL_ID_DRAWS = 3;
/** Concurrent rotations of one tenant retry on the fresh version this many times, then give up with 409. */
const MAX_ROTATION_ATTEMPTS = 8;

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

  /**
   * Issues a new current external ID; the current one becomes the previous, and the previous one is
   * dropped. Refused (409 ROTATION_WOULD_STRAND_ACCOUNTS) while any of the tenant's accounts has not
   * been seen accepting the current ID, unless `force` (audited). The check reads the accounts
   * after the tenant, and the write is conditional on the tenant's version as read: a concurrent
   * rotation makes it retry, and the retry finds the accounts behind the new ID.
   */
  async rotateExternalId(
    tenantId: string,
    actor: Actor,
    options: { force?: boolean } = {},
  ): Promise<Tenant> {
    const force = options.force === true;
    for (let attempt = 1; ; attempt++) {
      const tenant = await this.get(tenantId);
      const accounts = await this.deps.tenants.rotationAccounts(tenantId);
      const now = this.deps.clock.now();
      const { lagging } = requireRotation(tenantId, tenant.externalId, accounts, now, force);
      const next = rotateExternalId(
        tenant.externalId,
        generateExternalId(this.deps.random),
        now,
        this.deps.externalIdOverlapSeconds,
      );
      try {
        const rotated = await this.deps.tenants.updateExternalId(tenant, next, now.toISOString());
        await this.deps.trail.record(actor, {
          action: "EXTERNAL_ID_ROTATE",
          tenantId,
          // A forced rotation says so, and how many accounts it may have cut off.
          ...(force ? { forced: true, laggingAccounts: lagging } : {}),
        });
        return rotated;
      } catch (err) {
        const retryable = err instanceof StaleTenantError || err instanceof ExternalIdTakenError;
        if (retryable && attempt < MAX_ROTATION_ATTEMPTS) continue;
        if (retryable) {
          throw new ConflictError(
            "CONCURRENT_MODIFICATION",
            `Tenant ${tenantId} is being changed concurrently; retry the request`,
            { cause: err },
          );
        }
        throw err;
      }
    }
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
