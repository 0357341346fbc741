import { requireRole } from "../../domain/access";
import { UnauthenticatedError } from "../../errors";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/** The caller's role must be one the route admits (403 otherwise). */
export function authorizeRole(route: Pick<RouteDef, "auth">): HttpMiddleware {
  return {
    before: (request) => {
      if (route.auth === "public") return;
      const { caller } = request.context.http;
      // Only out of order (before `authenticate`): refused, never let through.
      if (caller === undefined) throw new UnauthenticatedError();
      requireRole(caller, route.auth);
    },
  };
}
