/** Cryptographically secure random bytes: the source of external IDs, key secrets and IDs. */
export interface RandomSource {
  bytes(n: number): Buffer;
}
