import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { logger } from "../../logger";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/** The API Gateway request ID: the one clients see in x-request-id and in error bodies. */
export function requestIdOf(request: { event: APIGatewayProxyEvent; context: Context }): string {
  return request.event.requestContext?.requestId ?? request.context.awsRequestId ?? "unknown";
}

/**
 * Starts the request's state with its ID, and puts that ID on every log line of the request with
 * what was asked (method and operation; never a header, a body or a secret).
 */
export function correlation(route: Pick<RouteDef, "method" | "operationId">): HttpMiddleware {
  return {
    before: (request) => {
      const requestId = requestIdOf(request);
      logger.setCorrelationId(requestId);
      logger.appendKeys({ method: route.method, route: route.operationId });
      request.context.http = { requestId };
    },
  };
}
