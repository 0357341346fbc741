import type { Account, AccountSource } from "../domain/account";
import { isRoleArn, parseRoleArn, type RoleArn } from "../domain/arn";
import { type Actor, sourceFields } from "../domain/audit";
import { StaleAccountError, VerificationFailedError } from "../domain/errors";
import { checkOutcome, nextHealth } from "../domain/health";
import { type LifecycleEvent, requireTransition } from "../domain/lifecycle";
import { type ExternalIdStatus, externalIdCandidates, type Tenant } from "../domain/tenant";
import { AccountNotFoundError, AppError, BadRequestError, ConflictError } from "../errors";
import type { AccountStore, RegionCatalog, WriteGuard } from "../ports/accounts";
import {
  type Clock,
  type MetricsSink,
  noMetrics,
  type Page,
  type PageRequest,
} from "../ports/common";
import { AccountQueries, type AccountView } from "./account-queries";
import { AccountRemoval } from "./account-removal";
import type { AuditTrail } from "./audit-trail";
import type { RoleVerifier } from "./role-verifier";
import type { TenantLookup } from "./tenant-lookup";

/** Which lifecycle event a registration is, by where it comes from. */
function registrationEvent(
  source: AccountSource,
  options: { requireExisting?: boolean; settingsChange?: boolean },
): LifecycleEvent {
  if (options.settingsChange) return "PATCH";
  switch (source.kind) {
    case "cloudformation":
      return options.requireExisting ? "STACK_UPDATE" : "STACK_CREATE";
    case "organization":
      return "ORG_JOIN";
    default:
      return "API_REGISTER";
  }
}

function sameRegions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

export type { AccountView };

export interface AccountServiceDeps {
  /** Registrations by source and outcome. */
  metrics?: MetricsSink;
  accounts: AccountStore;
  tenants: Pick<TenantLookup, "get">;
  verifier: Pick<RoleVerifier, "verify">;
  trail: AuditTrail;
  clock: Clock;
  /** The partition the control plane runs in; a role in another partition can never trust it. */
  partition: string;
  /** The control plane's own account: never a tenant's. */
  controlPlaneAccountId: string;
  regions: RegionCatalog;
}

export interface RegisterInput {
  accountId: string;
  roleArn: string;
  regions?: string[];
}

const ARN_PROBLEMS: Record<string, string> = {
  NOT_AN_ARN: "roleArn is not an ARN",
  UNKNOWN_PARTITION: "roleArn names an unknown partition",
  NOT_IAM: "roleArn is not an IAM ARN",
  NOT_A_ROLE: "roleArn is not a role ARN (arn:<partition>:iam::<account>:role/<name>)",
  INVALID_ACCOUNT_ID: "roleArn's account is not 12 digits",
  INVALID_ROLE_NAME: "roleArn's role name is not valid (1 to 64 of letters, digits and +=,.@_-)",
  INVALID_ROLE_PATH: "roleArn's path is not valid",
};

/** Registration, verification and listing of a tenant's AWS accounts. */
export class AccountService {
  private readonly queries: AccountQueries;
  private readonly removal: AccountRemoval;

  constructor(private readonly deps: AccountServiceDeps) {
    this.queries = new AccountQueries(deps);
    this.removal = new AccountRemoval(deps);
  }

  /** Checks the role ARN against the account, before any AWS call. */
  parseRole(accountId: string, roleArn: string): RoleArn {
    const role = parseRoleArn(roleArn);
    if (!isRoleArn(role))
      throw new BadRequestError("INVALID_ROLE_ARN", ARN_PROBLEMS[role] ?? "roleArn is not valid");
    if (role.accountId !== accountId) {
      throw new BadRequestError(
        "ROLE_ARN_ACCOUNT_MISMATCH",
        `roleArn belongs to account ${role.accountId}, not ${accountId}`,
      );
    }
    if (role.partition !== this.deps.partition) {
      throw new BadRequestError(
        "PARTITION_MISMATCH",
        `roleArn is in partition ${role.partition}; this control plane runs in ${this.deps.partition} and cannot assume roles in another partition`,
      );
    }
    if (accountId === this.deps.controlPlaneAccountId) {
      throw new BadRequestError(
        "CONTROL_PLANE_ACCOUNT",
        `Account ${accountId} is the control plane's own account; it cannot be a tenant's`,
      );
    }
    return role;
  }

  private checkRegions(regions: string[]): void {
    for (const region of regions) {
      if (!this.deps.regions.isKnown(region)) {
        throw new BadRequestError("INVALID_REGION", `Region ${region} does not exist`);
      }
      if (this.deps.regions.partitionOf(region) !== this.deps.partition) {
        throw new BadRequestError(
          "INVALID_REGION",
          `Region ${region} is not in partition ${this.deps.partition}`,
        );
      }
    }
  }

  /**
   * Registers (or re-registers) an account: validates, verifies the role, and stores the account
   * only when it verified. Idempotent: registering the same account again re-verifies it and
   * keeps one record, its freeze, health and brake generation (only unfreeze clears a freeze). On
   * failure nothing is stored or changed (VerificationFailedError, 422).
   *
   * A CloudFormation stack registers only accounts that are its own: an account registered
   * through the API, an organization or another stack is never relabelled by a stack's message
   * (409 ACCOUNT_ALREADY_REGISTERED); with `requireExisting` (a stack's Update) nothing is created
   * (409 ACCOUNT_NOT_REGISTERED_BY_STACK). The read and the conditional write (version) make
   * both checks hold under concurrent changes.
   */
  async register(
    tenantId: string,
    input: RegisterInput,
    source: AccountSource,
    actor: Actor,
    options: {
      requireExisting?: boolean;
      settingsChange?: boolean;
      auditFailure?: boolean;
      /** The write's guard (an organization job's lease): written only while it holds. */
      guard?: WriteGuard;
    } = {},
  ): Promise<{ account: AccountView; created: boolean }> {
    if (options.settingsChange) return this.registerOnce(tenantId, input, source, actor, options);
    const metrics = this.deps.metrics ?? noMetrics;
    try {
      const registered = await this.registerOnce(tenantId, input, source, actor, options);
      metrics.count("Registrations", 1, { source: source.kind, outcome: "REGISTERED" });
      return registered;
    } catch (err) {
      const outcome = err instanceof AppError ? err.code : "INTERNAL_ERROR";
      metrics.count("Registrations", 1, { source: source.kind, outcome });
      throw err;
    }
  }

  private async registerOnce(
    tenantId: string,
    input: RegisterInput,
    source: AccountSource,
    actor: Actor,
    options: {
      requireExisting?: boolean;
      settingsChange?: boolean;
      auditFailure?: boolean;
      guard?: WriteGuard;
    },
  ): Promise<{ account: AccountView; created: boolean }> {
    const role = this.parseRole(input.accountId, input.roleArn);
    const regions = [...new Set(input.regions ?? [])];
    this.checkRegions(regions);
    const tenant = await this.deps.tenants.get(tenantId);
    const existing = await this.deps.accounts.get(tenantId, input.accountId);
    // The lifecycle table decides whether this source may (re-)register the account at all.
    const event = registrationEvent(source, options);
    const transition = requireTransition(existing, event, input.accountId, source);
    const audit = {
      action: event === "PATCH" ? "ACCOUNT_UPDATE" : "ACCOUNT_REGISTER",
      tenantId,
      accountId: input.accountId,
      roleArn: role.arn,
      ...sourceFields(source),
      fromState: transition.from,
    } as const;
    // Through the API, registering again re-verifies; it does not change settings (PATCH does).
    if (
      source.kind === "api" &&
      existing &&
      !options.settingsChange &&
      (existing.roleArn !== role.arn || !sameRegions(existing.regions, regions))
    ) {
      throw new ConflictError(
        "ACCOUNT_SETTINGS_DIFFER",
        `Account ${input.accountId} is registered with another role ARN or other regions; change them with PATCH /v1/tenants/${tenantId}/accounts/${input.accountId}`,
      );
    }

    const now = this.deps.clock.now();
    const result = await this.deps.verifier.verify({
      role,
      accountId: input.accountId,
      regions,
      externalIds: externalIdCandidates(tenant.externalId, existing?.acceptedExternalId, now),
    });
    if (!result.ok) {
      // Nothing changed, but the attempt and why it failed are on record (an organization job
      // lists its members' failures in its own record instead: see organization-job.ts).
      if (options.auditFailure !== false)
        await this.deps.trail.record(actor, {
          ...audit,
          outcome: "FAILED",
          code: result.failure.code,
        });
      throw new VerificationFailedError(result.failure.code, result.failure.message);
    }

    const at = result.at;
    const account: Account = {
      tenantId,
      accountId: input.accountId,
      roleArn: role.arn,
      partition: role.partition,
      regions,
      status: transition.to === "ABSENT" ? "VERIFIED" : transition.to,
      verifiedAt: at,
      lastVerification: { at },
      acceptedExternalId: result.externalId,
      // Re-registration keeps what only other operations may change: the brake (only unfreeze
      // clears it), its generation, and the health history.
      ...(transition.frozen && existing?.frozen ? { frozen: existing.frozen } : {}),
      ...(existing?.brakeGeneration === undefined
        ? {}
        : { brakeGeneration: existing.brakeGeneration }),
      // The health it had, settled by this verification (as an explicit verify does).
      ...(existing?.health
        ? {
            health: nextHealth(
              existing.health,
              checkOutcome(tenant.externalId, existing.acceptedExternalId, result, now, 0),
              at,
              1,
            ).health,
          }
        : {}),
      // Registering again through the API re-verifies: it never takes an account from its stack or
      // its organization (which alone may deregister or detach it). A DETACHED account belongs
      // to no one any more, and is taken by whoever registers it again.
      source:
        existing && existing.status !== "DETACHED" && source.kind === "api"
          ? existing.source
          : source,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      version: (existing?.version ?? 0) + 1,
    };
    try {
      await this.deps.accounts.put(account, existing?.version, options.guard);
    } catch (err) {
      if (err instanceof StaleAccountError) {
        throw new ConflictError(
          "CONCURRENT_MODIFICATION",
          `Account ${input.accountId} was registered concurrently; retry`,
          { cause: err },
        );
      }
      throw err;
    }
    await this.deps.trail.record(actor, { ...audit, toState: account.status });
    return { account: this.view(tenant, account), created: existing === undefined };
  }

  /**
   * Changes a registered account's role ARN or regions: verified first, like a registration, and
   * stored only when it verifies; its source, freeze and health are kept.
   */
  async update(
    tenantId: string,
    accountId: string,
    patch: { roleArn?: string; regions?: string[] },
    actor: Actor,
  ): Promise<AccountView> {
    // Bad input is refused before anything is read.
    if (patch.roleArn !== undefined) this.parseRole(accountId, patch.roleArn);
    if (patch.regions !== undefined) this.checkRegions(patch.regions);
    await this.deps.tenants.get(tenantId);
    const existing = await this.deps.accounts.get(tenantId, accountId);
    if (!existing) throw new AccountNotFoundError(accountId);
    const { account } = await this.register(
      tenantId,
      {
        accountId,
        roleArn: patch.roleArn ?? existing.roleArn,
        regions: patch.regions ?? existing.regions,
      },
      existing.source,
      actor,
      { requireExisting: true, settingsChange: true },
    );
    return account;
  }

  async get(tenantId: string, accountId: string): Promise<AccountView> {
    return this.queries.get(tenantId, accountId);
  }

  list(tenantId: string, page: PageRequest, status?: ExternalIdStatus): Promise<Page<AccountView>> {
    return this.queries.list(tenantId, page, status);
  }

  view(tenant: Tenant, account: Account): AccountView {
    return this.queries.view(tenant, account);
  }

  /** Deletes a registered account; a frozen one is kept until it is unfrozen (409 ACCOUNT_FROZEN). */
  delete(tenantId: string, accountId: string, actor: Actor): Promise<Account> {
    return this.removal.delete(tenantId, accountId, actor);
  }

  /** See AccountRemoval.deregisterStack. */
  deregisterStack(
    tenantId: string,
    accountId: string,
    stackId: string,
    actor: Actor,
  ): Promise<Account | undefined> {
    return this.removal.deregisterStack(tenantId, accountId, stackId, actor);
  }

  /** The account, if that CloudFormation stack registered it. */
  async stackAccount(
    tenantId: string,
    accountId: string,
    stackId: string,
  ): Promise<Account | undefined> {
    const account = await this.deps.accounts.get(tenantId, accountId);
    return account?.source.kind === "cloudformation" && account.source.stackId === stackId
      ? account
      : undefined;
  }

  /**
   * Re-runs verification now and records the outcome on the account. A failure is recorded
   * (status FAILED, with its code) and reported as 422.
   */
  async verify(tenantId: string, accountId: string, actor: Actor): Promise<AccountView> {
    const tenant = await this.deps.tenants.get(tenantId);
    const account = await this.deps.accounts.get(tenantId, accountId);
    // VERIFY_OK and VERIFY_FAILED start from the same states: decided before any AWS call.
    requireTransition(account, "VERIFY_OK", accountId);
    if (!account) throw new AccountNotFoundError(accountId);
    const role = this.parseRole(account.accountId, account.roleArn);
    const now = this.deps.clock.now();
    const result = await this.deps.verifier.verify({
      role,
      accountId,
      regions: account.regions,
      externalIds: externalIdCandidates(tenant.externalId, account.acceptedExternalId, now),
    });
    const next = requireTransition(account, result.ok ? "VERIFY_OK" : "VERIFY_FAILED", accountId);
    const status = next.to === "ABSENT" ? account.status : next.to;
    const accepted = result.externalId ?? account.acceptedExternalId;
    // An explicit verification also settles health at once (a fixed role is usable right away).
    const { health } = nextHealth(
      account.health,
      checkOutcome(tenant.externalId, account.acceptedExternalId, result, now, 0),
      result.at,
      1,
    );
    const updated: Account = result.ok
      ? {
          ...account,
          ...(accepted === undefined ? {} : { acceptedExternalId: accepted }),
          health,
          status,
          verifiedAt: result.at,
          lastVerification: { at: result.at },
          updatedAt: result.at,
          version: account.version + 1,
        }
      : {
          ...account,
          ...(accepted === undefined ? {} : { acceptedExternalId: accepted }),
          health,
          status,
          lastVerification: {
            at: result.at,
            code: result.failure.code,
            message: result.failure.message,
          },
          updatedAt: result.at,
          version: account.version + 1,
        };
    try {
      await this.deps.accounts.put(updated, account.version);
    } catch (err) {
      if (err instanceof StaleAccountError) {
        throw new ConflictError(
          "CONCURRENT_MODIFICATION",
          `Account ${accountId} changed during verification; retry`,
          { cause: err },
        );
      }
      throw err;
    }
    await this.deps.trail.record(actor, {
      action: "ACCOUNT_VERIFY",
      tenantId,
      accountId,
      roleArn: account.roleArn,
      outcome: result.ok ? "SUCCEEDED" : "FAILED",
      ...(result.ok ? {} : { code: result.failure.code }),
      fromState: account.status,
      toState: updated.status,
    });
    if (!result.ok) throw new VerificationFailedError(result.failure.code, result.failure.message);
    return this.view(tenant, updated);
  }
}
