import type { RandomSource } from "./random";

/**
 * External IDs are generated here and nowhere else (facts.md: the third party generates them;
 * a tenant-chosen one defeats the confused-deputy protection).
 * 24 random bytes = 192 bits, base64url-encoded: 32 characters, all inside the STS ExternalId
 * charset `[\w+=,.@:/-]`, far inside its 2..1224 length.
 */
export const EXTERNAL_ID_RANDOM_BYTES = 24;
const PREFIX = "cpx-";
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

export function generateExternalId(random: RandomSource): string {
  return PREFIX + random.bytes(EXTERNAL_ID_RANDOM_BYTES).toString("base64url");
}

/** True when `value` is acceptable to STS as an ExternalId. */
export function isValidExternalId(value: string): boolean {
  return EXTERNAL_ID_PATTERN.test(value);
}
