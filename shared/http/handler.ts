import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import type * as z from "zod/mini";
import { requireRole, requireTenantAccess } from "../domain/access";
import { type Caller, parseBearer } from "../domain/api-key";
import type { Actor } from "../domain/audit";
import { type RateBucket, rateBucketOf } from "../domain/rate-limit";
import { BadRequestError } from "../errors";
import { logger } from "../logger";
import { type HttpResponse, JSON_HEADERS, toHttpResponse } from "./error-mapper";
import type { RouteDef } from "./route-def";
import { EmptyRequest } from "./schemas/common";
import { rejectForbiddenFields, validatePart } from "./validate";

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

interface Prepared {
  params: unknown;
  query: unknown;
  body: unknown;
  caller: Caller | undefined;
  requestId: string;
  actor: Actor | undefined;
  idempotencyKey?: string;
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
 * Whether a route may authenticate from the container's key cache: only GET routes, which change
 * nothing. Every other method (POST, PUT, PATCH, DELETE: issuing credentials, every change) reads
 * the key's record on each request, so a key revoked anywhere is refused on the next one.
 */
export function keyCacheAllowed(route: Pick<RouteDef, "method">): boolean {
  return route.method === "GET";
}

/** Printable ASCII, 1 to 255 characters: a UUID, a ULID, or any opaque token a client makes up. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type Request = middy.Request<
  APIGatewayProxyEvent,
  HttpResponse,
  Error,
  Context & { prepared?: Prepared }
>;

function requestIdOf(request: Request): string {
  return request.event.requestContext?.requestId ?? request.context.awsRequestId ?? "unknown";
}

function bodyBytes(event: APIGatewayProxyEvent): number {
  if (event.body === null || event.body === undefined) return 0;
  return event.isBase64Encoded
    ? Buffer.from(event.body, "base64").length
    : Buffer.byteLength(event.body, "utf8");
}

/**
 * Composes the one middleware stack every HTTP function uses, handler last:
 * header normalization, authentication and role check, path validation and tenant scoping,
 * body size limit, JSON parsing, body and query validation, then the handler; errors from any
 * step go through `toHttpResponse`. The order is deliberate: an unauthenticated caller learns
 * nothing about its input, and a tenant key asking about another tenant gets 404 before any
 * other check can reveal what exists.
 */
export function httpHandler<R extends RouteDef>(
  route: R,
  deps: () => HttpDeps,
  fn: (req: HttpRequest<R>, context: Context) => Promise<HttpResult>,
) {
  const jsonParser = httpJsonBodyParser();

  const prepare: middy.MiddlewareObj<
    APIGatewayProxyEvent,
    HttpResponse,
    Error,
    Context & { prepared?: Prepared }
  > = {
    before: async (request: Request) => {
      const { event } = request;
      const requestId = requestIdOf(request);
      // The API Gateway request ID clients see in x-request-id and in error bodies, on every log
      // line of the request, with what was asked (never a header, a body or a secret).
      logger.setCorrelationId(requestId);
      logger.appendKeys({ method: route.method, route: route.operationId });
      let caller: Caller | undefined;
      if (route.auth !== "public") {
        caller = await deps().authenticate(parseBearer(event.headers?.authorization), {
          allowCached: keyCacheAllowed(route),
        });
        logger.appendKeys({ keyId: caller.keyId, role: caller.role });
        requireRole(caller, route.auth);
      }
      const params = route.params
        ? validatePart(route.params, event.pathParameters ?? {}, "path")
        : undefined;
      if (route.tenantScoped && caller !== undefined) {
        requireTenantAccess(caller, (params as { tenantId: string }).tenantId);
        logger.appendKeys({ tenantId: (params as { tenantId: string }).tenantId });
      }
      // API Gateway always passes a string; serverless-offline passes a JSON scalar body
      // (`false`, `0`) already parsed. Make it the string API Gateway would have passed.
      if (event.body !== null && event.body !== undefined && typeof event.body !== "string") {
        event.body = JSON.stringify(event.body);
      }
      if (bodyBytes(event) > deps().maxBodyBytes) {
        throw new BadRequestError(
          "BODY_TOO_LARGE",
          `The request body exceeds ${deps().maxBodyBytes} bytes`,
        );
      }
      let body: unknown;
      if (event.body !== null && event.body !== undefined && event.body !== "") {
        await jsonParser.before?.(request as never);
        body = event.body as unknown;
      }
      rejectForbiddenFields(body, route.forbiddenFields);
      if (route.body !== undefined) {
        body = validatePart(route.body, body, "body", route.fieldCodes);
      } else if (body !== undefined) {
        body = validatePart(EmptyRequest, body, "body");
      }
      const query = route.query
        ? validatePart(route.query, event.queryStringParameters ?? {}, "query")
        : undefined;
      const idempotencyKey = route.idempotent ? event.headers?.["idempotency-key"] : undefined;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new BadRequestError(
          "INVALID_IDEMPOTENCY_KEY",
          "Idempotency-Key must be 1 to 255 printable ASCII characters",
        );
      }
      // Last: only a request this caller may make, and that is well formed, counts.
      // Failed requests count too, against their sender's budget only: an admin key has its own
      // on each tenant, so a tenant's key cannot lock the platform's operators out of it.
      if (route.rateLimit !== undefined && caller !== undefined) {
        const { bucket, subject } = rateBucketOf(
          route.rateLimit,
          caller,
          (params as { tenantId?: string } | undefined)?.tenantId,
        );
        await deps().admit(bucket, subject);
      }
      request.context.prepared = {
        params,
        query,
        body,
        caller,
        requestId,
        actor: caller === undefined ? undefined : actorOf(caller, requestId),
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      };
    },
  };

  const mapErrors: middy.MiddlewareObj<APIGatewayProxyEvent, HttpResponse, Error, Context> = {
    onError: async (request) => {
      const requestId = requestIdOf(request as Request);
      const { response, expected, code } = toHttpResponse(request.error, requestId);
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

  return middy<APIGatewayProxyEvent, HttpResponse, Error, Context & { prepared?: Prepared }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(mapErrors)
    .use(prepare)
    .handler(async (_event, context) => {
      const prepared = context.prepared as Prepared;
      const result = await fn(prepared as unknown as HttpRequest<R>, context);
      const status = result.status ?? route.success.status;
      logger.info("request done", { route: route.operationId, status });
      return {
        statusCode: status,
        headers: { ...JSON_HEADERS, "x-request-id": prepared.requestId },
        body: result.body === undefined ? "" : JSON.stringify(result.body),
      };
    });
}
