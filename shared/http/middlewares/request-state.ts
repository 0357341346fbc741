import type middy from "@middy/core";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import type { Caller } from "../../domain/api-key";
import type { HttpResponse } from "../error-mapper";

/**
 * What the pipeline's steps establish about one request, each step adding its part in order; the
 * handler receives it as its `HttpRequest`. It lives on the invocation's context (`context.http`),
 * which the Lambda runtime creates for each invocation; `correlation` starts it afresh anyway.
 */
export interface RequestState {
  requestId: string;
  /** Set by `authenticate` on every route that is not public. */
  caller?: Caller;
  /** The validated path parameters (`pathParams`). */
  params?: { readonly tenantId?: string };
  /** The parsed body (`jsonBody`), then the validated one (`validateBody`). */
  body?: unknown;
  /** The validated query (`validateQuery`). */
  query?: unknown;
  /** The Idempotency-Key header, validated, on routes that accept one. */
  idempotencyKey?: string;
}

export type HttpContext = Context & { http: RequestState };

export type HttpMiddleware = middy.MiddlewareObj<
  APIGatewayProxyEvent,
  HttpResponse,
  Error,
  HttpContext
>;

export type HttpMiddlewareRequest = middy.Request<
  APIGatewayProxyEvent,
  HttpResponse,
  Error,
  HttpContext
>;
