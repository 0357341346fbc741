import type { RouteDef } from "../route-def";
import { validatePart } from "../validate";
import type { HttpMiddleware } from "./request-state";

/** Validates the query string against the route's schema (400 INVALID_QUERY_PARAMETER). */
export function validateQuery(route: Pick<RouteDef, "query">): HttpMiddleware {
  return {
    before: (request) => {
      if (route.query === undefined) return;
      request.context.http.query = validatePart(
        route.query,
        request.event.queryStringParameters ?? {},
        "query",
      );
    },
  };
}
