import type { Actor } from "../domain/audit";
import { ExternalIdTakenError, StaleTenantError } from "../domain/errors";
import { generateExternalId } from "../domain/external-id";
import type { RandomSource } from "../domain/random";
import { requireRotation, rotateExternalId, type Tenant } from "../domain/tenant";
import { ConflictError } from "../errors";
import type { Clock } from "../ports/common";
import type { RotationAccountReader, TenantStore } from "../ports/tenants";
import type { AuditTrail } from "./audit-trail";
import { TenantLookup } from "./tenant-lookup";

export interface ExternalIdRotationDeps {
  tenants: Pick<TenantStore, "get" | "updateExternalId">;
  accounts: RotationAccountReader;
  trail: AuditTrail;
  clock: Clock;
  random: RandomSource;
  externalIdOverlapSeconds: number;
}

/** Concurrent rotations of one tenant retry on the fresh version this many times, then give up with 409. */
const MAX_ROTATION_ATTEMPTS = 8;

/**
 * External-ID rotation, apart from TenantService: only the rotation function carries it (and the
 * read of every account it makes).
 */
export class ExternalIdRotation {
  private readonly lookup: TenantLookup;

  constructor(private readonly deps: ExternalIdRotationDeps) {
    this.lookup = new TenantLookup(deps.tenants);
  }

  /**
   * Issues a new current external ID; the current one becomes the previous, and the previous one is
   * dropped. Refused (409 ROTATION_WOULD_STRAND_ACCOUNTS) while any of the tenant's accounts has not
   * been seen accepting the current ID, unless `force` (audited). The check reads the accounts
   * after the tenant, and the write is conditional on the tenant's version as read: a concurrent
   * rotation makes it retry, and the retry finds the accounts behind the new ID.
   */
  async rotate(tenantId: string, actor: Actor, options: { force?: boolean } = {}): Promise<Tenant> {
    const force = options.force === true;
    for (let attempt = 1; ; attempt++) {
      const tenant = await this.lookup.get(tenantId);
      const accounts = await this.deps.accounts.rotationAccounts(tenantId);
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
}
