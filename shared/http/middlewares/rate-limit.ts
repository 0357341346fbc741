import { rateBucketOf } from "../../domain/rate-limit";
import type { HttpDeps } from "../handler";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/**
 * Counts the request against its sender's budget (`rateBucketOf`; 429 over it). The last step:
 * only a request this caller may make, and that is well formed, counts; one the handler then
 * refuses still counts, against its sender's budget only (an admin key has its own on each
 * tenant, so a tenant's key cannot lock the platform's operators out of it).
 */
export function rateLimit(
  route: Pick<RouteDef, "rateLimit">,
  deps: () => Pick<HttpDeps, "admit">,
): HttpMiddleware {
  return {
    before: async (request) => {
      const { caller, params } = request.context.http;
      if (route.rateLimit === undefined || caller === undefined) return;
      const { bucket, subject } = rateBucketOf(route.rateLimit, caller, params?.tenantId);
      await deps().admit(bucket, subject);
    },
  };
}
