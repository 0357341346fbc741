import type { Account } from "../domain/account";
import type { ApiKey } from "../domain/api-key";
import { type Tenant, validExternalIds } from "../domain/tenant";

/** Domain objects as the API shows them (see schemas.ts). */
export function presentTenant(tenant: Tenant, now: Date) {
  return {
    tenantId: tenant.tenantId,
    name: tenant.name,
    status: tenant.status,
    externalId: tenant.externalId.current,
    externalIds: validExternalIds(tenant.externalId, now),
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}

export function presentApiKey(key: ApiKey) {
  return { ...key };
}

export function presentAccount(account: Account) {
  const { version: _version, ...shown } = account;
  return shown;
}
