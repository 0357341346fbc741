import type { Caller } from "./api-key";

/**
 * Fixed-window rate limits: one counter per budget and window, counted by one conditional update
 * per request. A route declares its scope (RouteDef.rateLimit): `service`, per internal service on
 * POST /v1/sessions (the shared STS quota); `tenant`, per tenant on the routes that change its
 * accounts, organization or external ID.
 */
export type RateScope = "service" | "tenant";

/**
 * Whose budget a request spends: a service's; a tenant's (its own key's requests, on its routes);
 * or one admin key's on one tenant. The platform's operators do not share the tenant's budget, so
 * a tenant's key that spends it (failing requests count) locks out only itself, and one admin's
 * script does not lock out another admin.
 */
export type RateBucket = RateScope | "admin";

/**
 * The budget a request of `caller` on a route of `scope` is counted against, and its subject (the
 * counter is RATE#<bucket>#<subject>):
 * - `service` routes: the calling service (`service#<service>`);
 * - `tenant` routes, admin keys: that key on that tenant (`admin#<tenantId>#<keyId>`): one key's
 *   work on one tenant never waits for its work on another, nor for another admin's;
 * - `tenant` routes, any other key: the tenant of the path (`tenant#<tenantId>`).
 * A `tenant` route without a tenant in its path is a programming error: thrown, never counted
 * against some other budget.
 */
export function rateBucketOf(
  scope: RateScope,
  caller: Pick<Caller, "role" | "keyId" | "service">,
  tenantId: string | undefined,
): { bucket: RateBucket; subject: string } {
  if (scope === "service") return { bucket: "service", subject: caller.service ?? caller.keyId };
  if (tenantId === undefined) throw new Error("a tenant-limited route without {tenantId}");
  if (caller.role === "admin") return { bucket: "admin", subject: `${tenantId}#${caller.keyId}` };
  return { bucket: "tenant", subject: tenantId };
}

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
