import type { Actor } from "../domain/audit";
import { ALL_TENANTS, type Grant, MAX_SESSION_SECONDS } from "../domain/grant";
import { newKeyId } from "../domain/ids";
import type { RandomSource } from "../domain/random";
import { BadRequestError, NotFoundError } from "../errors";
import type { GrantStore, PermissionSetStore } from "../ports/brokering";
import type { Clock, Page, PageRequest } from "../ports/common";
import type { AuditTrail } from "./audit-trail";
import type { TenantLookup } from "./tenant-lookup";

export class GrantNotFoundError extends NotFoundError {
  constructor(grantId: string) {
    super("GRANT_NOT_FOUND", `Grant ${grantId} does not exist`);
  }
}

export interface NewGrant {
  service: string;
  tenantId: string;
  permissionSets: string[];
  maxDurationSeconds?: number;
}

export class GrantService {
  constructor(
    private readonly deps: {
      grants: GrantStore;
      permissionSets: PermissionSetStore;
      tenants: Pick<TenantLookup, "get">;
      trail: AuditTrail;
      clock: Clock;
      random: RandomSource;
    },
  ) {}

  async create(input: NewGrant, actor: Actor): Promise<Grant> {
    const names = [...new Set(input.permissionSets)];
    const found = new Set((await this.deps.permissionSets.getMany(names)).map((p) => p.name));
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0)
      throw new BadRequestError(
        "UNKNOWN_PERMISSION_SET",
        `Unknown permission set(s): ${missing.join(", ")}`,
      );
    if (input.tenantId !== ALL_TENANTS) await this.deps.tenants.get(input.tenantId);
    const now = this.deps.clock.now();
    const grant: Grant = {
      grantId: newKeyId(now.getTime(), this.deps.random).replace(/^key_/, "grt_"),
      service: input.service,
      tenantId: input.tenantId,
      permissionSets: names,
      maxDurationSeconds: input.maxDurationSeconds ?? MAX_SESSION_SECONDS,
      createdAt: now.toISOString(),
    };
    await this.deps.grants.create(grant);
    await this.deps.trail.record(actor, {
      action: "GRANT_CREATE",
      target: grant.grantId,
      ...(grant.tenantId === ALL_TENANTS ? {} : { tenantId: grant.tenantId }),
    });
    return grant;
  }

  list(page: PageRequest): Promise<Page<Grant>> {
    return this.deps.grants.list(page);
  }

  async delete(grantId: string, actor: Actor): Promise<void> {
    if (!(await this.deps.grants.delete(grantId))) throw new GrantNotFoundError(grantId);
    await this.deps.trail.record(actor, { action: "GRANT_DELETE", target: grantId });
  }
}
