import { AppError, RateLimitedError, ServiceUnavailableError } from "../errors";

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/**
 * Refusals that validation at the boundary should have made impossible (a dependency refused
 * what the request carried: shared/adapters/dynamo-errors.ts). The client gets its 4xx; the log
 * keeps them as failures, with their cause, so that the gap in validation is found and closed.
 */
const LOGGED_AS_FAILURES = /* @__PURE__ */ new Set(["INPUT_NOT_STORABLE"]);

/**
 * The only place errors become HTTP responses. AppErrors keep their status, code and message;
 * anything else is a 500 whose body reveals nothing (the cause goes to the log only).
 * `expected` false: the handler logs it as a failure, with the error and its cause.
 */
export function toHttpResponse(
  err: unknown,
  requestId: string,
): { response: HttpResponse; expected: boolean; code: string } {
  const known = err instanceof AppError ? err : undefined;
  const headers: Record<string, string> = { ...JSON_HEADERS, "x-request-id": requestId };
  if (known === undefined) {
    return {
      expected: false,
      code: "INTERNAL_ERROR",
      response: {
        statusCode: 500,
        headers,
        body: JSON.stringify({
          error: {
            code: "INTERNAL_ERROR",
            message: "Internal error; quote the requestId if you report it",
          },
          requestId,
        }),
      },
    };
  }
  if (known instanceof ServiceUnavailableError || known instanceof RateLimitedError)
    headers["retry-after"] = String(known.retryAfterSeconds);
  return {
    expected: !LOGGED_AS_FAILURES.has(known.code),
    code: known.code,
    response: {
      statusCode: known.status,
      headers,
      body: JSON.stringify({
        error: {
          code: known.code,
          message: known.message,
          ...(known.details === undefined ? {} : { details: known.details }),
        },
        requestId,
      }),
    },
  };
}
