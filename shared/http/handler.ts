import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import type * as z from "zod/mini";
import type { Caller } from "../domain/api-key";
import type { Actor } from "../domain/audit";
import type { RateBucket } from "../domain/rate-limit";
import { logger } from "../logger";
import { type HttpResponse, JSON_HEADERS } from "./error-mapper";
import { authenticate } from "./middlewares/authenticate";
import { authorizeRole } from "./middlewares/authorize-role";
import { bodyLimit } from "./middlewares/body-limit";
import { correlation } from "./middlewares/correlation";
import { idempotencyKey } from "./middlewares/idempotency-key";
import { jsonBody } from "./middlewares/json-body";
import { mapErrors } from "./middlewares/map-errors";
import { pathParams } from "./middlewares/path-params";
import { rateLimit } from "./middlewares/rate-limit";
import type { HttpContext, HttpMiddleware } from "./middlewares/request-state";
import { tenantScope } from "./middlewares/tenant-scope";
import { validateBody } from "./middlewares/validate-body";
import { validateQuery } from "./middlewares/validate-query";
import type { RouteDef } from "./route-def";

export { keyCacheAllowed } from "./middlewares/authenticate";

export interface HttpDeps {
  /**
   * Resolves a bearer secret to its caller; throws UnauthenticatedError. `allowCached`: a
   * verification cached in the container may answer (read-only routes only, see `keyCacheAllowed`);
   * otherwise the key's record is read, so a revocation holds from the moment it was answered.
   */
  authenticate: (secret: string | undefined, options: { allowCached: boolean }) => Promise<Caller>;
  /** Counts a request against its budget (`rateBucketOf`); throws RateLimitedError over it. */
  admit: (bucket: RateBucket, subject: string) => Promise<void>;
  maxBodyBytes: number;
}

type Infer<T> = T extends z.ZodMiniType ? z.output<T> : undefined;

export interface HttpRequest<R extends RouteDef> {
  params: Infer<R["params"]>;
  query: Infer<R["query"]>;
  body: R["body"] extends z.ZodMiniType ? z.output<R["body"]> : Record<string, never> | undefined;
  caller: R["auth"] extends "public" ? undefined : Caller;
  requestId: string;
  /** Who acts, for the audit trail: the caller's key, its role and service, and the request. */
  actor: R["auth"] extends "public" ? undefined : Actor;
  /** The Idempotency-Key header, on routes that accept one (validated). */
  idempotencyKey?: string;
}

export interface HttpResult {
  /** Defaults to the route's success status. */
  status?: number;
  body?: unknown;
}

/** The audit trail's view of an authenticated caller. */
export function actorOf(caller: Caller, requestId: string): Actor {
  return {
    requestId,
    keyId: caller.keyId,
    keyRole: caller.role,
    ...(caller.service === undefined ? {} : { service: caller.service }),
  };
}

/**
 * Composes the one middleware pipeline every HTTP function uses, handler last. Each step does one
 * thing (shared/http/middlewares/) and adds what it learns to the request's state
 * (`context.http`); errors from any step, or from the handler, go through `mapErrors`. The order
 * is deliberate:
 * - authentication and the role check come before anything reads the input: a caller without a
 *   key, or with one the route does not admit, learns nothing about its input;
 * - the path is validated and the tenant scope checked next: a tenant key asking about another
 *   tenant gets 404 before any other check can reveal what exists;
 * - the body's size is checked before it is parsed, and parsed before it is validated;
 * - the rate limit is last: only a request this caller may make, and that is well formed, counts
 *   (one the handler then refuses still counts, against its sender's budget only).
 */
export function httpHandler<R extends RouteDef>(
  route: R,
  deps: () => HttpDeps,
  fn: (req: HttpRequest<R>, context: Context) => Promise<HttpResult>,
) {
  // `before` steps run in this order; `onError` steps in the reverse one.
  const pipeline: HttpMiddleware[] = [
    // The Lambda context on every log line; the logger's request keys cleared after each request.
    injectLambdaContext(logger, { resetKeys: true }),
    // Header names in lower case (authorization, idempotency-key, content-type), as HTTP/2 sends.
    httpHeaderNormalizer(),
    // After the logger's: its onError runs first, so a refusal is logged with the request's keys.
    mapErrors(route),
    correlation(route),
    authenticate(route, deps),
    authorizeRole(route),
    pathParams(route),
    tenantScope(route),
    bodyLimit(deps),
    jsonBody(),
    validateBody(route),
    validateQuery(route),
    idempotencyKey(route),
    rateLimit(route, deps),
  ];

  return (
    middy<APIGatewayProxyEvent, HttpResponse, Error, Context>()
      // The function is called with a Lambda context; `correlation` adds `http` to it, first.
      .use(pipeline as middy.MiddlewareObj<APIGatewayProxyEvent, HttpResponse, Error, Context>[])
      .handler(async (_event, context) => {
        const { requestId, caller, params, query, body, idempotencyKey } = (context as HttpContext)
          .http;
        const req = {
          params,
          query,
          body,
          caller,
          requestId,
          actor: caller === undefined ? undefined : actorOf(caller, requestId),
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        };
        const result = await fn(req as HttpRequest<R>, context);
        const status = result.status ?? route.success.status;
        logger.info("request done", { route: route.operationId, status });
        return {
          statusCode: status,
          headers: { ...JSON_HEADERS, "x-request-id": requestId },
          body: result.body === undefined ? "" : JSON.stringify(result.body),
        };
      })
  );
}
