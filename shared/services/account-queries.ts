import type { Account, AccountSource } from "../domain/account";
import { TENANT_TEMPLATE_VERSION } from "../domain/stack-message";
import { type ExternalIdStatus, externalIdStatus, type Tenant } from "../domain/tenant";
import { AccountNotFoundError } from "../errors";
import type { AccountStore } from "../ports/accounts";
import type { Clock, Page, PageRequest } from "../ports/common";
import type { TenantLookup } from "./tenant-lookup";

/** An account as the API shows it. */
export type AccountView = Account & {
  externalIdStatus?: ExternalIdStatus;
  source: AccountSource & { templateUpdateRequired?: boolean };
};

/**
 * A stack's source with its template version (1 when it reported none) and whether the stack must
 * be updated to the current template before its messages can be confirmed.
 */
function sourceView(source: AccountSource): AccountView["source"] {
  if (source.kind !== "cloudformation") return source;
  const templateVersion = source.templateVersion ?? 1;
  return {
    ...source,
    templateVersion,
    templateUpdateRequired: templateVersion < TENANT_TEMPLATE_VERSION,
  };
}

/**
 * Reading a tenant's accounts: no lifecycle, no audit, no AWS call but DynamoDB, so the read
 * functions carry nothing else (AccountService uses it for its answers too).
 */
export class AccountQueries {
  constructor(
    private readonly deps: {
      accounts: Pick<AccountStore, "get" | "list">;
      tenants: Pick<TenantLookup, "get">;
      clock: Clock;
    },
  ) {}

  async get(tenantId: string, accountId: string): Promise<AccountView> {
    const tenant = await this.deps.tenants.get(tenantId);
    const account = await this.deps.accounts.get(tenantId, accountId);
    if (!account) throw new AccountNotFoundError(accountId);
    return this.view(tenant, account);
  }

  /** One page of the tenant's accounts; with `status`, only those relying on that external ID. */
  async list(
    tenantId: string,
    page: PageRequest,
    status?: ExternalIdStatus,
  ): Promise<Page<AccountView>> {
    const tenant = await this.deps.tenants.get(tenantId);
    const listed = await this.deps.accounts.list(tenantId, page);
    const items = listed.items
      .map((a) => this.view(tenant, a))
      .filter((a) => status === undefined || a.externalIdStatus === status);
    return { ...listed, items };
  }

  /** The account as the API shows it: which of the tenant's external IDs its role relies on. */
  view(tenant: Tenant, account: Account): AccountView {
    const status = externalIdStatus(
      tenant.externalId,
      account.acceptedExternalId,
      this.deps.clock.now(),
    );
    const source = sourceView(account.source);
    return {
      ...account,
      ...(source === account.source ? {} : { source }),
      ...(status === undefined ? {} : { externalIdStatus: status }),
    };
  }
}
