import { BadRequestError } from "../../errors";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/** Printable ASCII, 1 to 255 characters: a UUID, a ULID, or any opaque token a client makes up. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Takes the Idempotency-Key header on the routes that accept one (shared/http/idempotency.ts);
 * elsewhere it is ignored.
 */
export function idempotencyKey(route: Pick<RouteDef, "idempotent">): HttpMiddleware {
  return {
    before: (request) => {
      const key = route.idempotent ? request.event.headers?.["idempotency-key"] : undefined;
      if (key === undefined) return;
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw new BadRequestError(
          "INVALID_IDEMPOTENCY_KEY",
          "Idempotency-Key must be 1 to 255 printable ASCII characters",
        );
      }
      request.context.http.idempotencyKey = key;
    },
  };
}
