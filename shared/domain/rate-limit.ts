/**
 * Fixed-window rate limits: one counter per subject and window, counted by one conditional update
 * per request. `service`: per internal service on POST /v1/sessions (the shared STS quota);
 * `tenant`: per tenant on the routes that change its accounts, organization or external ID.
 */
export type RateScope = "service" | "tenant";

export const RATE_WINDOW_SECONDS = 60;

/** The window `nowMs` falls in (its start, epoch ms), and the seconds until the next one starts. */
export function rateWindow(
  nowMs: number,
  windowSeconds = RATE_WINDOW_SECONDS,
): { start: number; retryAfterSeconds: number } {
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(nowMs / windowMs) * windowMs;
  return { start, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - nowMs) / 1000)) };
}
