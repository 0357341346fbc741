import { ConflictError, UnprocessableError } from "../errors";
import type { VerificationCode } from "./verification";

/** The generated external ID is already reserved (by any tenant). The service draws another. */
export class ExternalIdTakenError extends ConflictError {
  constructor() {
    super("EXTERNAL_ID_TAKEN", "The generated external ID is already in use");
  }
}

/** The tenant changed between read and write (optimistic locking). Retryable. */
export class StaleTenantError extends ConflictError {
  constructor(tenantId: string) {
    super(
      "CONCURRENT_MODIFICATION",
      `Tenant ${tenantId} was changed concurrently; retry the request`,
    );
  }
}

/** The tenant is being deleted: nothing may be attached to it any more. */
export class TenantNotActiveError extends ConflictError {
  constructor(tenantId: string) {
    super("TENANT_NOT_ACTIVE", `Tenant ${tenantId} is being deleted`);
  }
}

/** The account changed (or appeared) between read and write. Retryable. */
export class StaleAccountError extends ConflictError {
  constructor(accountId: string) {
    super(
      "CONCURRENT_MODIFICATION",
      `Account ${accountId} was changed concurrently; retry the request`,
    );
  }
}

/**
 * A write guarded by an organization job's lease was refused: the job was replaced, disconnected
 * or taken over by another chain. The chain that made it stops; nothing was written.
 */
export class OrganizationJobLostError extends ConflictError {
  constructor(jobId: string) {
    super("CONCURRENT_MODIFICATION", `Organization job ${jobId} no longer holds its lease`);
  }
}

/**
 * A stack's Create presented a registration token that another stack has used: nothing was
 * written. Whoever can read a quick-create link can launch it, but only one stack binds its token.
 */
export class RegistrationTokenSpentError extends ConflictError {
  constructor() {
    super(
      "REGISTRATION_TOKEN_SPENT",
      "this registration token was used by another stack; create the stack from a fresh onboarding link",
    );
  }
}

/** The organization connection changed (or appeared) between read and write. Retryable. */
export class StaleOrganizationError extends ConflictError {
  constructor(tenantId: string) {
    super(
      "CONCURRENT_MODIFICATION",
      `Tenant ${tenantId}'s organization connection was changed concurrently; retry the request`,
    );
  }
}

/** The role did not verify (unprocessable); nothing was stored. */
export class VerificationFailedError extends UnprocessableError {
  constructor(code: VerificationCode, message: string) {
    super(code, message);
  }
}

/** What STS or IAM said, classified, from the adapter. */
export class RoleAccessError extends Error {
  constructor(
    readonly code: VerificationCode | "EXPIRED_TOKEN" | "INVALID_REQUEST",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RoleAccessError";
  }
}
