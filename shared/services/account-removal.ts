import type { Account } from "../domain/account";
import { type Actor, accountFields } from "../domain/audit";
import { decide, requireTransition } from "../domain/lifecycle";
import { ConflictError } from "../errors";
import type { AccountStore } from "../ports/accounts";
import type { AuditTrail } from "./audit-trail";
import type { TenantLookup } from "./tenant-lookup";

export interface AccountRemovalDeps {
  accounts: Pick<AccountStore, "get" | "delete">;
  tenants: Pick<TenantLookup, "get">;
  trail: AuditTrail;
}

/**
 * Removing accounts: through the API, by their CloudFormation stack, or with their organization.
 * DynamoDB only, decided by the lifecycle table, recorded on the tenant's trail; AccountService
 * answers through it, and the delete function carries only this.
 */
export class AccountRemoval {
  constructor(private readonly deps: AccountRemovalDeps) {}

  /** Deletes a registered account; a frozen one is kept until it is unfrozen (409 ACCOUNT_FROZEN). */
  async delete(tenantId: string, accountId: string, actor: Actor): Promise<Account> {
    await this.deps.tenants.get(tenantId);
    const account = await this.deps.accounts.get(tenantId, accountId);
    requireTransition(account, "DELETE", accountId);
    if (!account || !(await this.deps.accounts.delete(tenantId, accountId, account.version))) {
      throw new ConflictError(
        "CONCURRENT_MODIFICATION",
        `Account ${accountId} changed while it was being deleted; retry`,
      );
    }
    await this.recordDeletion(actor, account);
    return account;
  }

  /**
   * Deregisters what a CloudFormation stack registered: only its own account, never a frozen one;
   * anything else is left as it is. The removed account, or undefined when nothing was removed.
   */
  async deregisterStack(
    tenantId: string,
    accountId: string,
    stackId: string,
    actor: Actor,
  ): Promise<Account | undefined> {
    const account = await this.deps.accounts.get(tenantId, accountId);
    const decision = decide(account, "STACK_DELETE", { kind: "cloudformation", stackId });
    if (!account || !decision.allowed || !decision.effect) return undefined;
    if (!(await this.deps.accounts.delete(tenantId, accountId, account.version))) return undefined;
    await this.recordDeletion(actor, account);
    return account;
  }

  /** The record of an account's deletion (through the API, its stack or its organization). */
  recordDeletion(actor: Actor, account: Account): Promise<void> {
    return this.deps.trail.record(actor, {
      action: "ACCOUNT_DELETE",
      ...accountFields(account),
      toState: "ABSENT",
    });
  }
}
