import type { Account } from "../domain/account";
import { isRoleArn, parseRoleArn, type RoleArn } from "../domain/arn";
import { type Actor, type AuditRecord, actorFields } from "../domain/audit";
import {
  brakePolicyArn,
  brakeSessionPolicy,
  revocationBoundary,
  revocationPolicyArn,
} from "../domain/emergency-brake";
import { RoleAccessError, StaleAccountError } from "../domain/errors";
import { requireTransition } from "../domain/lifecycle";
import { externalIdCandidates, type Tenant } from "../domain/tenant";
import {
  AccountNotFoundError,
  AppError,
  BadGatewayError,
  ConflictError,
  ServiceUnavailableError,
} from "../errors";
import type {
  AccountStore,
  AwsCredentials,
  RoleBrakeGateway,
  TenantRoleGateway,
} from "../ports/accounts";
import { type AuditStore, type Clock, type MetricsSink, noMetrics } from "../ports/common";
import type { TenantLookup } from "./tenant-lookup";
import { assumeTenantRole } from "./tenant-role-access";

export interface EmergencyBrakeDeps {
  /** Freezes. */
  metrics?: MetricsSink;
  accounts: AccountStore;
  tenants: Pick<TenantLookup, "get">;
  gateway: Pick<TenantRoleGateway, "assumeRole">;
  brakes: RoleBrakeGateway;
  audit: AuditStore;
  clock: Clock;
  region: string;
}

/**
 * Freezing an account: the role's deny policy attached through the role's own session, so every
 * session it issued stops at once; the account marked frozen (no session is brokered); audited.
 * Unfreezing first revokes every session issued until then (the role's revocation boundary), then
 * takes the brake off: no pre-freeze session works again. Only the policies the tenant's stack
 * created can be attached or rewritten.
 */
export class EmergencyBrake {
  constructor(private readonly deps: EmergencyBrakeDeps) {}

  async freeze(tenantId: string, accountId: string, actor: Actor) {
    const account = await this.apply("FREEZE", tenantId, accountId, actor);
    (this.deps.metrics ?? noMetrics).count("Freezes");
    return account;
  }

  unfreeze(tenantId: string, accountId: string, actor: Actor) {
    return this.apply("UNFREEZE", tenantId, accountId, actor);
  }

  private async apply(
    action: "FREEZE" | "UNFREEZE",
    tenantId: string,
    accountId: string,
    actor: Actor,
  ): Promise<Account> {
    const tenant = await this.deps.tenants.get(tenantId);
    const account = await this.deps.accounts.get(tenantId, accountId);
    requireTransition(account, action, accountId);
    if (!account) throw new AccountNotFoundError(accountId);
    const role = parseRoleArn(account.roleArn);
    if (!isRoleArn(role)) throw new AccountNotFoundError(accountId);
    const base: AuditRecord = {
      ...actorFields(actor),
      at: this.deps.clock.now().toISOString(),
      tenantId,
      accountId,
      action,
      roleArn: role.arn,
      outcome: "FAILED",
    };
    try {
      await this.switchPolicy(action, account, tenant, role);
    } catch (err) {
      const mapped = this.mapped(err, role);
      await this.deps.audit.write({
        ...base,
        outcome: mapped instanceof ConflictError ? "REFUSED" : "FAILED",
        code: mapped.code,
      });
      throw mapped;
    }
    let updated: Account;
    try {
      updated = await this.mark(account, action === "FREEZE", actor);
    } catch (err) {
      // IAM has the change (a freeze stays on in AWS) but the account could not record it (it was
      // deleted meanwhile, or kept changing): on the trail, so nobody has to guess.
      await this.deps.audit.write({
        ...base,
        outcome: "FAILED",
        code: err instanceof Error && "code" in err ? String(err.code) : "INTERNAL_ERROR",
      });
      throw err;
    }
    await this.deps.audit.write({ ...base, outcome: action === "FREEZE" ? "APPLIED" : "RELEASED" });
    return updated;
  }

  /** A session of the tenant role for the brake: only the control plane's own source identity. */
  private async brakeSession(account: Account, tenant: Tenant, role: RoleArn) {
    const now = this.deps.clock.now();
    const session = await assumeTenantRole(
      this.deps.gateway,
      {
        roleArn: role.arn,
        sessionName: `cp-brake-${now.getTime().toString(36)}`,
        durationSeconds: 900,
        region: this.deps.region,
        // The tenant role lets only this source identity attach or detach its brake.
        sourceIdentity: "control-plane",
        tags: [{ key: "cp:purpose", value: "emergency-brake" }],
        policy: brakeSessionPolicy(role),
      },
      externalIdCandidates(tenant.externalId, account.acceptedExternalId, now),
    );
    return session.credentials;
  }

  private async switchPolicy(
    action: "FREEZE" | "UNFREEZE",
    account: Account,
    tenant: Tenant,
    role: RoleArn,
  ) {
    const policyArn = brakePolicyArn(role);
    const { brakes, region } = { brakes: this.deps.brakes, region: this.deps.region };
    const credentials: AwsCredentials = await this.brakeSession(account, tenant, role);
    // Read first: under the brake IAM denies attaching anything, so freezing a frozen role must
    // find the brake attached rather than try to attach it again.
    const before = await brakes.attached(credentials, role.roleName, region);
    if (action === "FREEZE") {
      if (before.includes(policyArn)) return;
      await brakes
        .attach(credentials, role.roleName, policyArn, region)
        .catch(notEnabled(BrakeNotEnabled));
      // Read back: the brake is on only if IAM says it is attached.
      const attached = await brakes.attached(credentials, role.roleName, region);
      if (!attached.includes(policyArn))
        throw new BadGatewayError(
          "EMERGENCY_BRAKE_NOT_APPLIED",
          `IAM did not show ${policyArn} attached to ${role.arn} after attaching it`,
        );
      return;
    }
    // Neither attached nor recorded: nothing was frozen, so nothing can be revived.
    if (!before.includes(policyArn) && !account.frozen) return;
    // Unfreeze: first revoke every session issued until now (this one included), so that taking
    // the brake off revives none of them; then take it off with a session issued after the cutoff.
    const cutoff = this.deps.clock.now().toISOString();
    await brakes
      .rewritePolicy(credentials, revocationPolicyArn(role), revocationBoundary(cutoff), region)
      .catch(notEnabled(RevocationNotEnabled));
    if (!before.includes(policyArn)) return;
    const fresh = await this.brakeSession(account, tenant, role);
    await brakes.detach(fresh, role.roleName, policyArn, region);
  }

  /** Records the brake on the account, re-reading it if it changed meanwhile (the brake is on in AWS). */
  private async mark(account: Account, frozen: boolean, actor: Actor): Promise<Account> {
    let current: Account | undefined = account;
    for (let attempt = 0; attempt < 3 && current; attempt++) {
      const at = this.deps.clock.now().toISOString();
      const { frozen: _previous, ...rest } = current;
      const updated: Account = {
        ...rest,
        ...(frozen ? { frozen: current.frozen ?? { at, keyId: actor.keyId } } : {}),
        // Every brake change retires the broker's cached sessions of this account.
        brakeGeneration: (current.brakeGeneration ?? 0) + 1,
        updatedAt: at,
        version: current.version + 1,
      };
      try {
        await this.deps.accounts.put(updated, current.version);
        return updated;
      } catch (err) {
        if (!(err instanceof StaleAccountError)) throw err;
        current = await this.deps.accounts.get(account.tenantId, account.accountId);
      }
    }
    if (!current) throw new AccountNotFoundError(account.accountId);
    throw new ConflictError(
      "CONCURRENT_MODIFICATION",
      `Account ${account.accountId} kept changing; the brake is ${frozen ? "on" : "off"} in AWS, retry to record it`,
    );
  }

  private mapped(err: unknown, role: RoleArn): AppError {
    if (err instanceof RevocationNotEnabled) {
      return new ConflictError(
        "SESSION_REVOCATION_NOT_ENABLED",
        `The role ${role.arn} cannot revoke its earlier sessions (its stack predates the session revocation policy), so unfreezing would revive them; it stays frozen. Update its stack to the current template, then unfreeze`,
      );
    }
    if (err instanceof BrakeNotEnabled) {
      return new ConflictError(
        "EMERGENCY_BRAKE_NOT_ENABLED",
        `The role ${role.arn} does not offer the emergency brake: update its stack with EmergencyBrake=Enabled`,
      );
    }
    if (err instanceof RoleAccessError) {
      if (err.code === "THROTTLED") return throttled();
      return new BadGatewayError(
        "TENANT_ROLE_DENIED",
        `Account ${role.accountId} refused the control plane (${err.code})`,
      );
    }
    if (err instanceof AppError) return err;
    throw err;
  }
}

class BrakeNotEnabled extends Error {
  constructor(cause: unknown) {
    super("the brake policy could not be attached", { cause });
  }
}

class RevocationNotEnabled extends Error {
  constructor(cause: unknown) {
    super("the session revocation policy could not be rewritten", { cause });
  }
}

/**
 * IAM's answer when the stack did not create the policy, or does not let the control plane use
 * it (AccessDenied, NoSuchEntity), means the option is missing; throttling, timeouts and faults
 * keep their own meaning (503) and pass through.
 */
function notEnabled(Missing: new (cause: unknown) => Error) {
  return (err: unknown): never => {
    if (
      err instanceof RoleAccessError &&
      (err.code === "ACCESS_DENIED" || err.code === "ROLE_NOT_FOUND")
    )
      throw new Missing(err);
    throw err;
  };
}

const throttled = () =>
  new ServiceUnavailableError("AWS is throttling; retry shortly", { retryAfterSeconds: 2 });
