/**
 * One audit record per session request that got past the boundary: issued, refused or failed.
 * Never a secret: no credentials, no external ID, no key secret.
 */
export type AuditOutcome = "ISSUED" | "REFUSED" | "FAILED";

export interface AuditRecord {
  requestId: string;
  at: string;
  keyId: string;
  service: string;
  tenantId: string;
  accountId: string;
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
