import type { Account } from "../domain/account";
import { isRoleArn, parseRoleArn, type RoleArn } from "../domain/arn";
import type { AuditRecord } from "../domain/audit";
import { brakePolicyArn, brakeSessionPolicy } from "../domain/emergency-brake";
import { RoleAccessError, StaleAccountError } from "../domain/errors";
import type { Tenant } from "../domain/tenant";
import {
  AccountNotFoundError,
  type AppError,
  BadGatewayError,
  ConflictError,
  ServiceUnavailableError,
} from "../errors";
import type {
  AccountStore,
  AuditStore,
  AwsCredentials,
  Clock,
  RoleBrakeGateway,
  TenantRoleGateway,
} from "../ports";
import type { TenantService } from "./tenant-service";

export interface BrakeCaller {
  keyId: string;
  /** Who, in the audit trail's service column: the service name, or the key's role. */
  label: string;
}

export interface EmergencyBrakeDeps {
  accounts: AccountStore;
  tenants: Pick<TenantService, "get">;
  gateway: Pick<TenantRoleGateway, "assumeRole">;
  brakes: RoleBrakeGateway;
  audit: AuditStore;
  clock: Clock;
  region: string;
}

/**
 * Freezing an account: the role's deny policy attached through the role's own session, so every
 * session it issued stops at once; the account marked frozen (no session is brokered); audited.
 * Unfreezing reverses both. Only the policy the tenant's stack created can be attached.
 */
export class EmergencyBrake {
  constructor(private readonly deps: EmergencyBrakeDeps) {}

  freeze(tenantId: string, accountId: string, caller: BrakeCaller, requestId: string) {
    return this.apply("FREEZE", tenantId, accountId, caller, requestId);
  }

  unfreeze(tenantId: string, accountId: string, caller: BrakeCaller, requestId: string) {
    return this.apply("UNFREEZE", tenantId, accountId, caller, requestId);
  }

  private async apply(
    action: "FREEZE" | "UNFREEZE",
    tenantId: string,
    accountId: string,
    caller: BrakeCaller,
    requestId: string,
  ): Promise<Account> {
    const tenant = await this.deps.tenants.get(tenantId);
    const account = await this.deps.accounts.get(tenantId, accountId);
    if (!account) throw new AccountNotFoundError(accountId);
    const role = parseRoleArn(account.roleArn);
    if (!isRoleArn(role)) throw new AccountNotFoundError(accountId);
    const base: AuditRecord = {
      requestId,
      at: this.deps.clock.now().toISOString(),
      keyId: caller.keyId,
      service: caller.label,
      tenantId,
      accountId,
      action,
      roleArn: role.arn,
      outcome: "FAILED",
    };
    try {
      await this.switchPolicy(action, tenant, role);
    } catch (err) {
      const mapped = this.mapped(err, role);
      await this.deps.audit.write({
        ...base,
        outcome: mapped.status === 409 ? "REFUSED" : "FAILED",
        code: mapped.code,
      });
      throw mapped;
    }
    const updated = await this.mark(account, action === "FREEZE", caller);
    await this.deps.audit.write({ ...base, outcome: action === "FREEZE" ? "APPLIED" : "RELEASED" });
    return updated;
  }

  private async switchPolicy(action: "FREEZE" | "UNFREEZE", tenant: Tenant, role: RoleArn) {
    const policyArn = brakePolicyArn(role);
    const credentials: AwsCredentials = await this.deps.gateway.assumeRole({
      roleArn: role.arn,
      externalId: tenant.externalId.current,
      sessionName: `cp-brake-${this.deps.clock.now().getTime().toString(36)}`,
      durationSeconds: 900,
      region: this.deps.region,
      // The tenant role lets only this source identity attach or detach its brake.
      sourceIdentity: "control-plane",
      tags: [{ key: "cp:purpose", value: "emergency-brake" }],
      policy: brakeSessionPolicy(role),
    });
    const { brakes, region } = { brakes: this.deps.brakes, region: this.deps.region };
    if (action === "FREEZE") {
      await brakes.attach(credentials, role.roleName, policyArn, region).catch((err: unknown) => {
        throw new BrakeNotEnabled(err);
      });
      // Read back: the brake is on only if IAM says it is attached.
      const attached = await brakes.attached(credentials, role.roleName, region);
      if (!attached.includes(policyArn))
        throw new BadGatewayError(
          "EMERGENCY_BRAKE_NOT_APPLIED",
          `IAM did not show ${policyArn} attached to ${role.arn} after attaching it`,
        );
      return;
    }
    const attached = await brakes.attached(credentials, role.roleName, region);
    if (attached.includes(policyArn))
      await brakes.detach(credentials, role.roleName, policyArn, region);
  }

  /** Records the brake on the account, re-reading it if it changed meanwhile (the brake is on in AWS). */
  private async mark(account: Account, frozen: boolean, caller: BrakeCaller): Promise<Account> {
    let current: Account | undefined = account;
    for (let attempt = 0; attempt < 3 && current; attempt++) {
      const at = this.deps.clock.now().toISOString();
      const { frozen: _previous, ...rest } = current;
      const updated: Account = {
        ...rest,
        ...(frozen ? { frozen: current.frozen ?? { at, keyId: caller.keyId } } : {}),
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
    if (err instanceof BrakeNotEnabled) {
      const cause = err.cause;
      if (cause instanceof RoleAccessError && cause.code === "THROTTLED") return throttled();
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
    if (err instanceof Error && "status" in err) return err as AppError;
    throw err;
  }
}

class BrakeNotEnabled extends Error {
  constructor(cause: unknown) {
    super("the brake policy could not be attached", { cause });
  }
}

const throttled = () =>
  new ServiceUnavailableError("AWS is throttling; retry shortly", { retryAfterSeconds: 2 });
