import type { Account } from "../domain/account";
import type { Actor } from "../domain/audit";
import { decide } from "../domain/lifecycle";
import { type OrganizationConnection, registeredBy } from "../domain/organization";
import { ConflictError } from "../errors";
import type { AccountStore } from "../ports/accounts";
import type { Clock } from "../ports/common";
import type { OrganizationJobStore, OrganizationStore } from "../ports/organizations";
import { AccountRemoval } from "./account-removal";
import type { AuditTrail } from "./audit-trail";
import { OrganizationNotConnectedError, OrganizationReader } from "./organization-reader";
import type { TenantLookup } from "./tenant-lookup";

export { OrganizationNotConnectedError };

export interface OrganizationRecordsDeps {
  organizations: Omit<OrganizationStore, "list">;
  /** The connection's latest job: read with it, forgotten when it is disconnected. */
  jobs: Pick<OrganizationJobStore, "get" | "delete">;
  accounts: Pick<AccountStore, "get" | "list" | "delete">;
  tenants: Pick<TenantLookup, "get">;
  trail: AuditTrail;
  clock: Clock;
}

/**
 * A tenant's organization connection as stored: read it, disconnect it. DynamoDB only (no
 * Organizations, STS or EventBridge), so the read and disconnect functions carry nothing else;
 * OrganizationService (connect, sync) answers through it too.
 */
export class OrganizationRecords {
  private readonly removal: AccountRemoval;
  private readonly reader: OrganizationReader;

  constructor(private readonly deps: OrganizationRecordsDeps) {
    this.removal = new AccountRemoval(deps);
    this.reader = new OrganizationReader(deps);
  }

  get(tenantId: string): Promise<OrganizationConnection> {
    return this.reader.get(tenantId);
  }

  /** See OrganizationReader.withJob. */
  withJob(tenantId: string) {
    return this.reader.withJob(tenantId);
  }

  /**
   * Stops syncing; with removeAccounts, also deregisters every account the organization registered.
   * The connection is marked `disconnecting` and its job deleted first (so no job writes any
   * more), then the accounts go, and the connection last, so that a failure part way leaves it
   * connected and the retry finishes it. A frozen account is never removed: the whole request is
   * refused (409 ACCOUNT_FROZEN) before anything changes.
   */
  async disconnect(tenantId: string, removeAccounts: boolean, actor: Actor): Promise<void> {
    const connection = await this.get(tenantId);
    const by = {
      kind: "organization",
      managementAccountId: connection.managementAccountId,
    } as const;
    // All or nothing: the lifecycle table decides for every account before anything changes (it
    // refuses a frozen one).
    const decideAll = async () => {
      const own = (await this.allAccounts(tenantId)).filter((a) =>
        registeredBy(a, by.managementAccountId),
      );
      const decided = own.map((account) => ({ account, d: decide(account, "ORG_REMOVE", by) }));
      const refused = decided.filter(({ d }) => !d.allowed);
      const first = refused[0]?.d;
      if (first && !first.allowed) {
        throw new ConflictError(
          first.code,
          `Accounts ${refused.map(({ account }) => account.accountId).join(", ")} cannot be removed (${first.code}); unfreeze them, or disconnect without removing accounts`,
        );
      }
      return decided;
    };
    if (removeAccounts) await decideAll();
    // Jobs stop first: none starts for a connection being disconnected, and the running one's
    // next account write is refused once its job item is gone (the write is guarded by its lease).
    if (!connection.disconnecting) {
      const at = this.deps.clock.now().toISOString();
      await this.deps.organizations.put(
        { ...connection, disconnecting: at, updatedAt: at, version: connection.version + 1 },
        connection.version,
      );
    }
    await this.deps.jobs.delete(tenantId);
    if (removeAccounts) {
      // Read again now that no job writes: what a job registered meanwhile goes too.
      for (const { account } of await decideAll()) {
        // Decided on the version read; a change meanwhile is a conflict to retry.
        if (!(await this.deps.accounts.delete(tenantId, account.accountId, account.version))) {
          throw new ConflictError(
            "CONCURRENT_MODIFICATION",
            `Account ${account.accountId} changed while the organization was being disconnected; retry`,
          );
        }
        await this.removal.recordDeletion(actor, account);
      }
    }
    // Last, so that a disconnect that failed part way is finished by its retry.
    if (!(await this.deps.organizations.delete(tenantId)))
      throw new OrganizationNotConnectedError(tenantId);
    await this.deps.trail.record(actor, {
      action: "ORGANIZATION_DISCONNECT",
      tenantId,
      managementAccountId: connection.managementAccountId,
    });
  }

  /** Every account of the tenant, page by page. */
  allAccounts(tenantId: string): Promise<Account[]> {
    return allAccountsOf(this.deps.accounts, tenantId);
  }
}

/** Every account of a tenant, page by page (organization plans and disconnects read them all). */
export async function allAccountsOf(
  accounts: Pick<AccountStore, "list">,
  tenantId: string,
): Promise<Account[]> {
  const all: Account[] = [];
  let cursor: string | undefined;
  do {
    const page = await accounts.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
