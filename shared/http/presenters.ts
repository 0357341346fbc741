import type { ApiKey } from "../domain/api-key";
import type { OrganizationConnection } from "../domain/organization";
import type { PermissionSet } from "../domain/permission-set";
import { type Tenant, validExternalIds } from "../domain/tenant";
import type { AccountView } from "../services/account-service";
import type { IssuedSession } from "../services/session-broker";

/** Domain objects as the API shows them (see schemas.ts). */
export function presentTenant(tenant: Tenant, now: Date) {
  return {
    tenantId: tenant.tenantId,
    name: tenant.name,
    status: tenant.status,
    suspended: tenant.suspended === true,
    ...(tenant.suspendedAt ? { suspendedAt: tenant.suspendedAt } : {}),
    externalId: tenant.externalId.current,
    externalIds: validExternalIds(tenant.externalId, now),
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}

export function presentApiKey(key: ApiKey) {
  return { ...key };
}

export function presentAccount(account: AccountView) {
  // The accepted external ID itself stays internal: the API says which one it is.
  const { version: _v, acceptedExternalId: _id, brakeGeneration: _g, ...shown } = account;
  return shown;
}

export function presentOrganization(connection: OrganizationConnection) {
  const { version: _version, ...shown } = connection;
  return shown;
}

export function presentPermissionSet(set: PermissionSet) {
  return {
    name: set.name,
    policy: JSON.parse(set.policy) as unknown,
    ...(set.description ? { description: set.description } : {}),
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
  };
}

export function presentSession(s: IssuedSession) {
  return {
    credentials: {
      accessKeyId: s.credentials.accessKeyId,
      secretAccessKey: s.credentials.secretAccessKey,
      sessionToken: s.credentials.sessionToken,
      expiration: s.credentials.expiration.toISOString(),
    },
    assumedRoleArn: s.assumedRoleArn,
    sessionName: s.sessionName,
  };
}
