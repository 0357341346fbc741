import { RoleAccessError } from "../domain/errors";
import type { AssumeRoleRequest, AwsCredentials, TenantRoleGateway } from "../ports/accounts";

export interface TenantRoleSession {
  credentials: AwsCredentials;
  /** The external ID the role's trust policy accepted. */
  externalId: string;
}

/**
 * AssumeRole into a tenant role, presenting the tenant's external IDs in the given order (see
 * externalIdCandidates): the next one only when the role answered AccessDenied, which is how IAM
 * refuses an external ID its trust policy does not hold. Any other failure ends the attempt.
 */
export async function assumeTenantRole(
  gateway: Pick<TenantRoleGateway, "assumeRole">,
  request: Omit<AssumeRoleRequest, "externalId">,
  externalIds: readonly string[],
): Promise<TenantRoleSession> {
  if (externalIds.length === 0) throw new Error("assumeTenantRole needs at least one external ID");
  for (let i = 0; ; i++) {
    const externalId = externalIds[i] as string;
    try {
      return { credentials: await gateway.assumeRole({ ...request, externalId }), externalId };
    } catch (err) {
      const last = i === externalIds.length - 1;
      if (last || !(err instanceof RoleAccessError) || err.code !== "ACCESS_DENIED") throw err;
    }
  }
}
