/**
 * The interfaces the services depend on. Concrete adapters live in shared/adapters and are wired
 * in shared/wiring.ts; tests hand in their own.
 */
import type { ApiKey } from "./domain/api-key";
import type { ExternalIdState, Tenant } from "./domain/tenant";

export interface Clock {
  now(): Date;
}

export interface RandomSource {
  /** Cryptographically secure random bytes. */
  bytes(n: number): Buffer;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

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
  /** Marks the tenant DELETING (no new children can attach); false if it did not exist. */
  markDeleting(tenantId: string, updatedAt: string): Promise<boolean>;
  /** Removes the tenant, its reserved external IDs and everything stored under it (API keys included). */
  purge(tenantId: string): Promise<void>;
}

export interface ApiKeyStore {
  /** Stores a key by the hash of its secret; a tenant key only while its tenant is ACTIVE. */
  create(key: ApiKey, secretHash: string): Promise<void>;
  findByHash(secretHash: string): Promise<ApiKey | undefined>;
  get(keyId: string): Promise<ApiKey | undefined>;
  list(page: PageRequest): Promise<Page<ApiKey>>;
  /** Sets revokedAt (idempotent); returns the key, or undefined when unknown. */
  revoke(keyId: string, revokedAt: string): Promise<ApiKey | undefined>;
}
