import type { RouteDef } from "../route-def";
import { EmptyRequest } from "../schemas/common";
import { rejectForbiddenFields, validatePart } from "../validate";
import type { HttpMiddleware } from "./request-state";

/**
 * Validates the parsed body against the route's schema, after refusing the fields a client may
 * never send (each with its own code); a route without a schema accepts no body, or `{}`.
 */
export function validateBody(
  route: Pick<RouteDef, "body" | "forbiddenFields" | "fieldCodes">,
): HttpMiddleware {
  return {
    before: (request) => {
      const state = request.context.http;
      rejectForbiddenFields(state.body, route.forbiddenFields);
      if (route.body !== undefined) {
        state.body = validatePart(route.body, state.body, "body", route.fieldCodes);
      } else if (state.body !== undefined) {
        state.body = validatePart(EmptyRequest, state.body, "body");
      }
    },
  };
}
