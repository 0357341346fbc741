import { ConflictError } from "../errors";

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
