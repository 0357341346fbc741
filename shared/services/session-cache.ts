/**
 * Credentials per container, by session key, reused until `refreshBeforeMs` before they expire.
 * Concurrent misses for one key share one load (one STS call). Only ever consulted after the
 * request was authorized against fresh state, so suspension, grant revocation, account removal
 * and external-ID rotation (which changes the key) act on the very next request.
 */
export interface Expiring {
  expiration: Date;
}

export class SessionCache<T extends Expiring> {
  private readonly entries = new Map<string, T>();
  private readonly inflight = new Map<string, Promise<T>>();

  constructor(
    private readonly refreshBeforeMs = 5 * 60 * 1000,
    private readonly maxEntries = 1000,
  ) {}

  /** The cached value, or the result of `load` (shared with concurrent callers); `hit` = no load by this caller. */
  async get(
    key: string,
    nowMs: number,
    load: () => Promise<T>,
  ): Promise<{ value: T; hit: boolean }> {
    const cached = this.entries.get(key);
    if (cached && cached.expiration.getTime() - nowMs > this.refreshBeforeMs)
      return { value: cached, hit: true };
    const pending = this.inflight.get(key);
    if (pending) return { value: await pending, hit: true };

    const promise = load();
    this.inflight.set(key, promise);
    try {
      const value = await promise;
      this.entries.delete(key);
      if (this.entries.size >= this.maxEntries) this.evict(nowMs);
      this.entries.set(key, value);
      return { value, hit: false };
    } finally {
      this.inflight.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(nowMs: number): void {
    for (const [k, v] of this.entries) {
      if (v.expiration.getTime() - nowMs <= this.refreshBeforeMs) this.entries.delete(k);
    }
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
