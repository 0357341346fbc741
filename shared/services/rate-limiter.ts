import { RATE_WINDOW_SECONDS, type RateScope, rateWindow } from "../domain/rate-limit";
import { RateLimitedError } from "../errors";
import type { Clock, RateCounterStore } from "../ports";

/** Requests per minute; 0 turns a limit off. */
export interface RateLimits {
  /** POST /v1/sessions, per calling service: its share of the control plane's STS quota. */
  sessionsPerMinute: number;
  /** The routes that change a tenant's accounts, organization or external ID, per tenant. */
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

  async admit(scope: RateScope, subject: string): Promise<void> {
    const limit =
      scope === "service"
        ? this.deps.limits.sessionsPerMinute
        : this.deps.limits.tenantWritesPerMinute;
    if (limit <= 0) return;
    const { start, retryAfterSeconds } = rateWindow(this.deps.clock.now().getTime());
    // Kept one window past its own, then removed by the table's TTL.
    const expiresAt = Math.floor(start / 1000) + 2 * RATE_WINDOW_SECONDS;
    if (await this.deps.counters.take(`${scope}#${subject}`, start, limit, expiresAt)) return;
    throw new RateLimitedError(
      scope === "service"
        ? `This service's limit of ${limit} sessions per minute is reached; retry in ${retryAfterSeconds} s`
        : `This tenant's limit of ${limit} changes per minute is reached; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }
}
