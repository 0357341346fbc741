import { RATE_WINDOW_SECONDS, type RateBucket, rateWindow } from "../domain/rate-limit";
import { RateLimitedError } from "../errors";
import type { Clock, RateCounterStore } from "../ports/common";

/** Requests per minute; 0 turns a limit off. */
export interface RateLimits {
  /** POST /v1/sessions, per calling service: its share of the control plane's STS quota. */
  sessionsPerMinute: number;
  /**
   * The routes that change a tenant's accounts, organization or external ID: per tenant for its
   * own keys, and as much again per admin key on that tenant (rateBucketOf).
   */
  tenantWritesPerMinute: number;
}

/**
 * Admits a request or refuses it with 429 RATE_LIMITED and the seconds until the next window.
 * Called after authentication, authorization and validation, so only requests the caller may make
 * count, and a refused request changes nothing.
 */
export class RateLimiter {
  constructor(
    private readonly deps: { counters: RateCounterStore; clock: Clock; limits: RateLimits },
  ) {}

  /** Counts one request against `bucket`'s budget of `subject` (rateBucketOf). */
  async admit(bucket: RateBucket, subject: string): Promise<void> {
    const limit =
      bucket === "service"
        ? this.deps.limits.sessionsPerMinute
        : this.deps.limits.tenantWritesPerMinute;
    if (limit <= 0) return;
    const { start, retryAfterSeconds } = rateWindow(this.deps.clock.now().getTime());
    // Kept one window past its own, then removed by the table's TTL.
    const expiresAt = Math.floor(start / 1000) + 2 * RATE_WINDOW_SECONDS;
    if (await this.deps.counters.take(`${bucket}#${subject}`, start, limit, expiresAt)) return;
    const what = {
      service: `This service's limit of ${limit} sessions per minute`,
      tenant: `This tenant's limit of ${limit} changes per minute`,
      admin: `This admin key's limit of ${limit} changes per minute on this tenant`,
    }[bucket];
    throw new RateLimitedError(
      `${what} is reached; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }
}
