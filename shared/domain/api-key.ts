import { createHash, timingSafeEqual } from "node:crypto";
import type { RandomSource } from "./random";

/**
 * API keys. The secret is shown once, at creation; only its SHA-256 is stored. SHA-256 (not a
 * slow password hash) is right here because generated keys carry 256 random bits: there is
 * nothing to brute-force, and the lookup stays one hash plus one key-value read.
 */
export type ApiKeyRole = "admin" | "tenant" | "service";
export const API_KEY_ROLES = ["admin", "tenant", "service"] as const;

export interface ApiKey {
  keyId: string;
  role: ApiKeyRole;
  tenantId?: string;
  service?: string;
  description?: string;
  createdAt: string;
  revokedAt?: string;
}

/** Who is calling, as established by authentication. */
export interface Caller {
  keyId: string;
  role: ApiKeyRole;
  tenantId?: string;
  service?: string;
}

const KEY_PREFIX = "cpk_";
export const API_KEY_SECRET_BYTES = 32;

export function generateApiKeySecret(random: RandomSource): string {
  return KEY_PREFIX + random.bytes(API_KEY_SECRET_BYTES).toString("base64url");
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, "hex");
  const bb = Buffer.from(b, "hex");
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Service names end up in STS session names and SourceIdentity: 2..32 of the STS charset. Reserved:
 * `aws:...`, and `control-plane`, the control plane's own source identity, which tenant roles
 * trust to freeze them (infra/tenant-role.yaml).
 */
export const SERVICE_NAME_PATTERN = /^(?!aws:)(?!control-plane$)[A-Za-z0-9][\w+=,.@-]{1,31}$/;

/** Extracts the key from an `Authorization: Bearer <key>` header value; undefined when absent or malformed. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([\x21-\x7e]{8,512})$/.exec(header.trim());
  return match?.[1];
}
