/**
 * One audit record per session request that got past the boundary (issued, refused or failed),
 * and per use of the emergency brake (applied, released, refused or failed).
 * Never a secret: no credentials, no external ID, no key secret.
 */
export type AuditOutcome = "ISSUED" | "REFUSED" | "FAILED" | "APPLIED" | "RELEASED";

export interface AuditRecord {
  requestId: string;
  at: string;
  keyId: string;
  service: string;
  tenantId: string;
  accountId: string;
  /** SESSION when absent (records written before the brake existed have none). */
  action?: "SESSION" | "FREEZE" | "UNFREEZE";
  outcome: AuditOutcome;
  /** The refusal or failure code (NOT_GRANTED, TENANT_SUSPENDED, ...). */
  code?: string;
  roleArn?: string;
  permissionSet?: string;
  durationSeconds?: number;
  region?: string;
  sessionName?: string;
  sourceIdentity?: string;
  expiration?: string;
  cacheHit?: boolean;
}
