import {
  type ApiKey,
  type ApiKeyRole,
  type Caller,
  generateApiKeySecret,
  hashApiKey,
} from "../domain/api-key";
import { type Actor, systemActor } from "../domain/audit";
import { newKeyId } from "../domain/ids";
import type { RandomSource } from "../domain/random";
import { ApiKeyNotFoundError, BadRequestError, UnauthenticatedError } from "../errors";
import type { Clock, Page, PageRequest } from "../ports/common";
import type { ApiKeyStore } from "../ports/tenants";
import type { AuditTrail } from "./audit-trail";

export interface ApiKeyServiceDeps {
  keys: ApiKeyStore;
  trail: AuditTrail;
  clock: Clock;
  random: RandomSource;
  /**
   * How long a verified key may be trusted from this container's memory by requests that allow it
   * (reads: `authenticate(secret, { allowCached: true })`); 0 disables the cache. Every other
   * request reads the key's record.
   */
  cacheTtlSeconds: number;
  /** Upper bound on cached keys per container. */
  cacheMaxEntries?: number;
}

export interface NewApiKey {
  role: ApiKeyRole;
  tenantId?: string;
  service?: string;
  description?: string;
}

export interface AuthenticateOptions {
  /**
   * Whether a verified key cached in this container (for up to `cacheTtlSeconds`) may answer.
   * Only for requests that change nothing: a revocation made through another container reaches
   * this one only when the entry expires. Without it (the default), the key's record is read
   * (`findByHash`, strongly consistent), so a revocation holds from the moment it was answered.
   */
  allowCached?: boolean;
}

interface CacheEntry {
  caller: Caller;
  expiresAtMs: number;
}

export class ApiKeyService {
  /** secret hash -> verified caller. Only positive results are cached. */
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly deps: ApiKeyServiceDeps) {}

  /** Creates a key and returns it with its secret, which is never retrievable again. */
  async create(input: NewApiKey, actor: Actor): Promise<{ key: ApiKey; secret: string }> {
    assertRoleFields(input);
    const now = this.deps.clock.now();
    const secret = generateApiKeySecret(this.deps.random);
    const key: ApiKey = {
      keyId: newKeyId(now.getTime(), this.deps.random),
      role: input.role,
      ...(input.tenantId === undefined ? {} : { tenantId: input.tenantId }),
      ...(input.service === undefined ? {} : { service: input.service }),
      ...(input.description === undefined ? {} : { description: input.description }),
      createdAt: now.toISOString(),
    };
    await this.deps.keys.create(key, hashApiKey(secret));
    await this.deps.trail.record(actor, {
      action: "API_KEY_CREATE",
      target: key.keyId,
      ...(key.tenantId === undefined ? {} : { tenantId: key.tenantId }),
      ...(key.service === undefined ? {} : { sourceIdentity: key.service }),
    });
    return { key, secret };
  }

  /**
   * Stores a key whose secret was chosen by the operator (the bootstrap admin key). Idempotent:
   * the same secret always maps to the same record.
   */
  async importAdminKey(secret: string): Promise<ApiKey> {
    const hash = hashApiKey(secret);
    const existing = await this.deps.keys.findByHash(hash);
    if (existing !== undefined) return existing;
    const now = this.deps.clock.now();
    const key: ApiKey = {
      keyId: newKeyId(now.getTime(), this.deps.random),
      role: "admin",
      description: "bootstrap admin key",
      createdAt: now.toISOString(),
    };
    await this.deps.keys.create(key, hash);
    await this.deps.trail.record(systemActor(`bootstrap-${now.getTime()}`, "bootstrap-admin"), {
      action: "API_KEY_CREATE",
      target: key.keyId,
    });
    return key;
  }

  async list(page: PageRequest): Promise<Page<ApiKey>> {
    return this.deps.keys.list(page);
  }

  async revoke(keyId: string, actor: Actor): Promise<ApiKey> {
    const before = await this.deps.keys.get(keyId);
    const key = await this.deps.keys.revoke(keyId, this.deps.clock.now().toISOString());
    if (key === undefined) throw new ApiKeyNotFoundError(keyId);
    // Revoking a revoked key changes nothing, and is not recorded again.
    if (before?.revokedAt === undefined)
      await this.deps.trail.record(actor, {
        action: "API_KEY_REVOKE",
        target: keyId,
        ...(key.tenantId === undefined ? {} : { tenantId: key.tenantId }),
      });
    for (const [hash, entry] of this.cache) {
      if (entry.caller.keyId === keyId) this.cache.delete(hash);
    }
    return key;
  }

  /**
   * The caller behind a bearer secret; UnauthenticatedError for a missing, unknown or revoked key.
   * Reads the key's record (strongly consistent) unless `allowCached` lets a cached verification
   * answer; a read refreshes this container's entry, or drops it when the key is gone or revoked.
   */
  async authenticate(
    secret: string | undefined,
    options: AuthenticateOptions = {},
  ): Promise<Caller> {
    if (secret === undefined) throw new UnauthenticatedError();
    const hash = hashApiKey(secret);
    const nowMs = this.deps.clock.now().getTime();
    if (options.allowCached === true) {
      const cached = this.cache.get(hash);
      if (cached !== undefined && cached.expiresAtMs > nowMs) return cached.caller;
    }
    this.cache.delete(hash);

    const key = await this.deps.keys.findByHash(hash);
    if (key === undefined || key.revokedAt !== undefined) throw new UnauthenticatedError();
    const caller: Caller = {
      keyId: key.keyId,
      role: key.role,
      ...(key.tenantId === undefined ? {} : { tenantId: key.tenantId }),
      ...(key.service === undefined ? {} : { service: key.service }),
    };
    if (this.deps.cacheTtlSeconds > 0) {
      const max = this.deps.cacheMaxEntries ?? 1000;
      if (this.cache.size >= max) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(hash, { caller, expiresAtMs: nowMs + this.deps.cacheTtlSeconds * 1000 });
    }
    return caller;
  }
}

function assertRoleFields(input: NewApiKey): void {
  const fail = (message: string) => {
    throw new BadRequestError("INVALID_KEY_SCOPE", message);
  };
  switch (input.role) {
    case "admin":
      if (input.tenantId !== undefined || input.service !== undefined) {
        fail("An admin key takes neither tenantId nor service");
      }
      return;
    case "tenant":
      if (input.tenantId === undefined) fail("A tenant key needs a tenantId");
      if (input.service !== undefined) fail("A tenant key takes no service");
      return;
    case "service":
      if (input.service === undefined) fail("A service key needs a service name");
      if (input.tenantId !== undefined)
        fail("A service key takes no tenantId: grants say which tenants it may reach");
  }
}
