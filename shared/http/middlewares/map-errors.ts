import { logger } from "../../logger";
import { toHttpResponse } from "../error-mapper";
import type { RouteDef } from "../route-def";
import { requestIdOf } from "./correlation";
import type { HttpMiddleware } from "./request-state";

/**
 * Turns an error from any step, or from the handler, into its response (`toHttpResponse`):
 * refusals are logged as such, anything unexpected as a failure with its error.
 */
export function mapErrors(route: Pick<RouteDef, "operationId">): HttpMiddleware {
  return {
    onError: (request) => {
      const { response, expected, code } = toHttpResponse(request.error, requestIdOf(request));
      if (expected) {
        logger.info("request refused", {
          route: route.operationId,
          status: response.statusCode,
          code,
        });
      } else {
        logger.error("request failed", { route: route.operationId, error: request.error as Error });
      }
      request.response = response;
    },
  };
}
