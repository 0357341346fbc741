/** The ports of the tenants area: tenants, the reads of external ID rotation, API keys. */
import type { ApiKey } from "../domain/api-key";
import type { ExternalIdState, RotationAccount, Tenant } from "../domain/tenant";
import type { Page, PageRequest } from "./common";

export interface TenantStore {
  /** Creates the tenant and reserves its external ID; throws ExternalIdTakenError if the ID is in use. */
  create(tenant: Tenant): Promise<void>;
  get(tenantId: string): Promise<Tenant | undefined>;
  list(page: PageRequest): Promise<Page<Tenant>>;
  /**
   * Replaces the external ID state if the stored tenant still has the version of `tenant` (as read)
   * and is ACTIVE; reserves the new ID; returns the tenant as written by this call. Throws
   * StaleTenantError on a concurrent change, ExternalIdTakenError on collision.
   */
  updateExternalId(tenant: Tenant, next: ExternalIdState, updatedAt: string): Promise<Tenant>;
  /** Sets or clears suspension; undefined when the tenant does not exist (or is being deleted). */
  setSuspended(tenantId: string, suspended: boolean, at: string): Promise<Tenant | undefined>;
  /** Marks the tenant DELETING (no new children can attach); false if it did not exist. */
  markDeleting(tenantId: string, updatedAt: string): Promise<boolean>;
  /** Removes the tenant, its reserved external IDs and everything stored under it (API keys included). */
  purge(tenantId: string): Promise<void>;
}

/** What the rotation rule reads of a tenant's accounts (a port of its own: only rotation reads it). */
export interface RotationAccountReader {
  /**
   * Every account of the tenant, with only its status and the external ID its role last accepted:
   * one strongly consistent paged read of the tenant's accounts.
   */
  rotationAccounts(tenantId: string): Promise<RotationAccount[]>;
}

export interface ApiKeyStore {
  /** Stores a key by the hash of its secret; a tenant key only while its tenant is ACTIVE. */
  create(key: ApiKey, secretHash: string): Promise<void>;
  /**
   * The key as last written, revocation included (strongly consistent: authentication of every
   * request that changes state rests on it).
   */
  findByHash(secretHash: string): Promise<ApiKey | undefined>;
  get(keyId: string): Promise<ApiKey | undefined>;
  list(page: PageRequest): Promise<Page<ApiKey>>;
  /** Sets revokedAt (idempotent); returns the key, or undefined when unknown. */
  revoke(keyId: string, revokedAt: string): Promise<ApiKey | undefined>;
}
