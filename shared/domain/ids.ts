import type { RandomSource } from "./random";

/**
 * Identifiers: a fixed prefix, then a ULID-shaped body (48-bit millisecond time, 80 random bits,
 * Crockford base32, lower case), so that they sort by creation time and are safe in paths.
 */
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD.charAt(t % 32) + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(random: RandomSource): string {
  const bytes = random.bytes(16);
  let out = "";
  for (let i = 0; i < 16; i++) out += CROCKFORD.charAt((bytes[i] ?? 0) % 32);
  return out;
}

function sortableId(prefix: string, nowMs: number, random: RandomSource): string {
  return `${prefix}_${encodeTime(nowMs)}${encodeRandom(random)}`;
}

export const TENANT_ID_PATTERN = /^tnt_[0-9a-hjkmnp-tv-z]{26}$/;
export const KEY_ID_PATTERN = /^key_[0-9a-hjkmnp-tv-z]{26}$/;

export const newTenantId = (nowMs: number, random: RandomSource) =>
  sortableId("tnt", nowMs, random);
export const newKeyId = (nowMs: number, random: RandomSource) => sortableId("key", nowMs, random);
