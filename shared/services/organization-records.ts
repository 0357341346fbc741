import type { Account } from "../domain/account";
import type { Actor } from "../domain/audit";
import { decide } from "../domain/lifecycle";
import { type OrganizationConnection, registeredBy } from "../domain/organization";
import { ConflictError } from "../errors";
import type { AccountStore, OrganizationJobStore, OrganizationStore } from "../ports";
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
   * With removeAccounts, the organization's accounts go first and the connection last, so that a
   * failure part way leaves it connected and the retry finishes the job. A frozen account is never
   * removed: the whole request is refused (409 ACCOUNT_FROZEN) before anything changes.
   */
  async disconnect(tenantId: string, removeAccounts: boolean, actor: Actor): Promise<void> {
    const connection = await this.get(tenantId);
    if (removeAccounts) {
      const by = {
        kind: "organization",
        managementAccountId: connection.managementAccountId,
      } as const;
      const own = (await this.allAccounts(tenantId)).filter((a) =>
        registeredBy(a, by.managementAccountId),
      );
      // All or nothing: the lifecycle table decides for every account before any is removed
      // (it refuses a frozen one).
      const decided = own.map((account) => ({ account, d: decide(account, "ORG_REMOVE", by) }));
      const refused = decided.filter(({ d }) => !d.allowed);
      const first = refused[0]?.d;
      if (first && !first.allowed) {
        throw new ConflictError(
          first.code,
          `Accounts ${refused.map(({ account }) => account.accountId).join(", ")} cannot be removed (${first.code}); unfreeze them, or disconnect without removing accounts`,
        );
      }
      for (const { account } of decided) {
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
    // The job first: its running chain stops at its next save (and finds no connection after).
    await this.deps.jobs.delete(tenantId);
    if (!(await this.deps.organizations.delete(tenantId)))
      throw new OrganizationNotConnectedError(tenantId);
    await this.deps.trail.record(actor, {
      action: "ORGANIZATION_DISCONNECT",
      tenantId,
      managementAccountId: connection.managementAccountId,
    });
  }
  /** Every account of the tenant, page by page. */
  async allAccounts(tenantId: string): Promise<Account[]> {
    const all: Account[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.accounts.list(tenantId, {
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }
}
