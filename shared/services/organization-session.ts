import { RoleAccessError, VerificationFailedError } from "../domain/errors";
import { externalIdCandidates, type Tenant } from "../domain/tenant";
import { DEFAULT_MESSAGES } from "../domain/verification";
import { ServiceUnavailableError } from "../errors";
import type { AwsCredentials, TenantRoleGateway } from "../ports/accounts";
import type { Clock } from "../ports/common";
import { assumeTenantRole } from "./tenant-role-access";

/** The organization's session can only list and describe it. */
const READ_ORGANIZATION_POLICY = /* @__PURE__ */ JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["organizations:List*", "organizations:Describe*"],
      Resource: "*",
    },
  ],
});

/**
 * A session of the management account's role, for connect and the organization job: the
 * tenant's current external ID, then the previous one; read-only by session policy.
 */
export async function organizationSession(
  deps: { gateway: TenantRoleGateway; clock: Clock; region: string },
  tenant: Tenant,
  roleArn: string,
): Promise<AwsCredentials> {
  const externalIds = externalIdCandidates(tenant.externalId, undefined, deps.clock.now());
  const session = await asTenantError(
    assumeTenantRole(
      deps.gateway,
      {
        roleArn,
        sessionName: `cp-org-${deps.clock.now().getTime().toString(36)}`,
        durationSeconds: 900,
        region: deps.region,
        sourceIdentity: "control-plane",
        tags: [{ key: "cp:purpose", value: "organization-sync" }],
        policy: READ_ORGANIZATION_POLICY,
      },
      externalIds,
    ),
  );
  return session.credentials;
}

/**
 * What STS or Organizations refused through the management role: the tenant's to fix (422 with
 * the verification code, e.g. ACCESS_DENIED when the role may not list the organization), or
 * throttling (503).
 */
export async function asTenantError<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof RoleAccessError)) throw err;
    if (err.code === "THROTTLED")
      throw new ServiceUnavailableError("AWS is throttling; retry shortly", {
        retryAfterSeconds: 2,
      });
    if (err.code === "EXPIRED_TOKEN" || err.code === "INVALID_REQUEST") throw err;
    throw new VerificationFailedError(err.code, `${DEFAULT_MESSAGES[err.code]} (${err.message})`);
  }
}
