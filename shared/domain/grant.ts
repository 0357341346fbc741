/**
 * A grant: service S may get sessions for tenant T (or every tenant, "*"), with these permission
 * sets, for at most this long.
 */
export const ALL_TENANTS = "*";
/** A Lambda function's AssumeRole is role chaining: one hour at most (facts.md). */
export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 3600;

export interface Grant {
  grantId: string;
  service: string;
  tenantId: string;
  permissionSets: string[];
  maxDurationSeconds: number;
  createdAt: string;
}

/** The grant that applies: a grant for the tenant itself wins over a grant for all tenants. */
export function applicableGrant(
  forTenant: Grant | undefined,
  forAll: Grant | undefined,
): Grant | undefined {
  return forTenant ?? forAll;
}
