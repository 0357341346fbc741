import type { Account } from "../domain/account";
import type { Caller } from "../domain/api-key";
import { ALL_TENANTS, type Grant } from "../domain/grant";
import type { AccountStore } from "../ports/accounts";
import type { GrantStore } from "../ports/brokering";

/** At most this many accounts are listed per grant; beyond it `accountsTruncated` says so. */
export const MAX_ACCOUNTS_PER_GRANT = 1000;

export interface GrantAccess {
  grantId: string;
  tenantId: string;
  permissionSets: string[];
  maxDurationSeconds: number;
  /** The tenant's accounts (not detached); absent for a grant for all tenants. */
  accounts?: { accountId: string; status: Account["status"]; regions: string[]; frozen: boolean }[];
  accountsTruncated?: boolean;
}

export interface CallerView {
  keyId: string;
  role: Caller["role"];
  tenantId?: string;
  service?: string;
  /** A service key's grants, with the accounts each one reaches (what `cpctl profiles` writes). */
  grants?: GrantAccess[];
}

/**
 * Who a key is, and for a service key what it may broker: its grants and, for a grant for one
 * tenant, that tenant's accounts. Only the caller's own key and grants are ever read.
 */
export class CallerAccess {
  constructor(
    private readonly deps: {
      grants: Pick<GrantStore, "listForService">;
      accounts: Pick<AccountStore, "list">;
    },
  ) {}

  async describe(caller: Caller): Promise<CallerView> {
    const view: CallerView = {
      keyId: caller.keyId,
      role: caller.role,
      ...(caller.tenantId ? { tenantId: caller.tenantId } : {}),
      ...(caller.service ? { service: caller.service } : {}),
    };
    if (caller.role !== "service" || !caller.service) return view;
    const grants = await this.deps.grants.listForService(caller.service);
    return { ...view, grants: await Promise.all(grants.map((g) => this.access(g))) };
  }

  private async access(grant: Grant): Promise<GrantAccess> {
    const base = {
      grantId: grant.grantId,
      tenantId: grant.tenantId,
      permissionSets: grant.permissionSets,
      maxDurationSeconds: grant.maxDurationSeconds,
    };
    if (grant.tenantId === ALL_TENANTS) return base;
    const accounts: NonNullable<GrantAccess["accounts"]> = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.accounts.list(grant.tenantId, { limit: 100, cursor });
      for (const a of page.items) {
        if (a.status === "DETACHED") continue;
        accounts.push({
          accountId: a.accountId,
          status: a.status,
          regions: a.regions,
          frozen: a.frozen !== undefined,
        });
      }
      cursor = page.nextCursor;
    } while (cursor && accounts.length < MAX_ACCOUNTS_PER_GRANT);
    const truncated = accounts.length > MAX_ACCOUNTS_PER_GRANT || cursor !== undefined;
    return {
      ...base,
      accounts: accounts.slice(0, MAX_ACCOUNTS_PER_GRANT),
      ...(truncated ? { accountsTruncated: true } : {}),
    };
  }
}
