import { parseBearer } from "../../domain/api-key";
import { logger } from "../../logger";
import type { HttpDeps } from "../handler";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/**
 * Whether a route may authenticate from the container's key cache: only GET routes, which change
 * nothing. Every other method (POST, PUT, PATCH, DELETE: issuing credentials, every change) reads
 * the key's record on each request, so a key revoked anywhere is refused on the next one.
 */
export function keyCacheAllowed(route: Pick<RouteDef, "method">): boolean {
  return route.method === "GET";
}

/** Resolves the bearer key of a route that is not public to its caller (401 otherwise). */
export function authenticate(
  route: Pick<RouteDef, "auth" | "method">,
  deps: () => Pick<HttpDeps, "authenticate">,
): HttpMiddleware {
  return {
    before: async (request) => {
      if (route.auth === "public") return;
      const caller = await deps().authenticate(parseBearer(request.event.headers?.authorization), {
        allowCached: keyCacheAllowed(route),
      });
      logger.appendKeys({ keyId: caller.keyId, role: caller.role });
      request.context.http.caller = caller;
    },
  };
}
