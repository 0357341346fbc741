import type { Account } from "../domain/account";
import type { Actor } from "../domain/audit";
import { decide } from "../domain/lifecycle";
import { type OrganizationConnection, registeredBy } from "../domain/organization";
import type { OrganizationJob } from "../domain/organization-job";
import { ConflictError, NotFoundError } from "../errors";
import type { AccountStore, OrganizationJobStore, OrganizationStore } from "../ports";
import { AccountRemoval } from "./account-removal";
import type { AuditTrail } from "./audit-trail";
import type { TenantLookup } from "./tenant-lookup";

export class OrganizationNotConnectedError extends NotFoundError {
  constructor(tenantId: string) {
    super("ORGANIZATION_NOT_CONNECTED", `Tenant ${tenantId} has no connected organization`);
  }
}

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

  constructor(private readonly deps: OrganizationRecordsDeps) {
    this.removal = new AccountRemoval(deps);
  }

  async get(tenantId: string): Promise<OrganizationConnection> {
    await this.deps.tenants.get(tenantId);
    const connection = await this.deps.organizations.get(tenantId);
    if (!connection) throw new OrganizationNotConnectedError(tenantId);
    return connection;
  }

  /** The connection and its latest job (GET .../organizations: progress, last sync). */
  async withJob(
    tenantId: string,
  ): Promise<{ connection: OrganizationConnection; job: OrganizationJob | undefined }> {
    const connection = await this.get(tenantId);
    return { connection, job: await this.deps.jobs.get(tenantId) };
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
