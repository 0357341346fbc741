import type { RouteDef } from "../route-def";
import { validatePart } from "../validate";
import type { HttpMiddleware } from "./request-state";

/** Validates the path parameters against the route's schema (400 INVALID_PATH_PARAMETER). */
export function pathParams(route: Pick<RouteDef, "params">): HttpMiddleware {
  return {
    before: (request) => {
      if (route.params === undefined) return;
      request.context.http.params = validatePart(
        route.params,
        request.event.pathParameters ?? {},
        "path",
      );
    },
  };
}
