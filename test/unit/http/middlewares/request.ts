import type { APIGatewayProxyEvent } from "aws-lambda";
import type {
  HttpContext,
  HttpMiddleware,
  HttpMiddlewareRequest,
  RequestState,
} from "../../../../shared/http/middlewares/request-state";
import eventFixture from "../../../fixtures/apigw-rest-event.json";
import contextFixture from "../../../fixtures/lambda-context.json";

/**
 * One middy request as a step of the pipeline sees it: the fixture's API Gateway event (headers
 * in lower case, as the header normalizer leaves them) with `event` over it, and the state the
 * steps before it established.
 */
export function requestOf(
  parts: { event?: Partial<APIGatewayProxyEvent>; state?: Partial<RequestState> } = {},
): HttpMiddlewareRequest {
  const fixture = structuredClone(eventFixture) as unknown as APIGatewayProxyEvent;
  const headers = Object.fromEntries(
    Object.entries(fixture.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    event: { ...fixture, headers, ...parts.event },
    context: {
      ...contextFixture,
      http: { requestId: "req-unit", ...parts.state },
    } as unknown as HttpContext,
    response: null,
    error: null,
    internal: {},
  };
}

/**
 * Runs a step's `before`, returning what it returned: a step that returns a value ends the
 * pipeline early in middy, so every step of this one must return undefined.
 */
export async function runBefore(
  middleware: HttpMiddleware,
  request: HttpMiddlewareRequest,
): Promise<unknown> {
  if (middleware.before === undefined) throw new Error("no before step");
  return middleware.before(request);
}

/** The error a step threw, for assertions on its class, code and message. */
export async function refusal(
  middleware: HttpMiddleware,
  request: HttpMiddlewareRequest,
): Promise<Error & { code?: string; status?: number }> {
  try {
    await runBefore(middleware, request);
  } catch (err) {
    return err as Error & { code?: string; status?: number };
  }
  throw new Error("the step did not refuse the request");
}
