import type * as z from "zod/mini";
import type { ApiKeyRole } from "../domain/api-key";
import type { RateScope } from "../domain/rate-limit";

/**
 * One operation of the REST API, declared as `route` in its module (functions/<area>/<name>.ts).
 * Its handler takes validation and authorization from it; serverless.ts takes its HTTP event and
 * the statements it implies (infra/functions.ts); docs/openapi.yaml and the client's operation
 * table are generated from it.
 */
export interface RouteDef {
  operationId: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** With `{param}` placeholders, as in OpenAPI. */
  path: string;
  summary: string;
  tag: string;
  /** Roles admitted; "public" needs no key. */
  auth: "public" | readonly ApiKeyRole[];
  /** When true, a tenant key is admitted only for its own `{tenantId}`; others get 404. */
  tenantScoped?: boolean;
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  /** Body schema; routes without one accept no body (or `{}`). */
  body?: z.ZodMiniType;
  /** Fields that must never come from a client, each with its own error code. */
  forbiddenFields?: Record<string, string>;
  /** Error codes for invalid values of particular body fields (instead of INVALID_FIELD). */
  fieldCodes?: Record<string, string>;
  /**
   * Accepts an `Idempotency-Key` header: a retry with the same key (and the same body) from the
   * same caller gets the first answer instead of doing it again (shared/http/idempotency.ts).
   */
  idempotent?: boolean;
  /**
   * Counted against a rate limit (shared/services/rate-limiter.ts): `service` per calling
   * service, `tenant` per tenant of the path (an admin key: per key on that tenant, rateBucketOf);
   * over it, 429 RATE_LIMITED with Retry-After.
   */
  rateLimit?: RateScope;
  success: {
    status: 200 | 201 | 202 | 204;
    schema?: z.ZodMiniType;
    description: string;
    /** A second success status with the same body (e.g. 200 when a PUT-like POST changed nothing new). */
    alternate?: { status: 200; description: string };
  };
  /** Error codes this route can answer with, by status (for the document and the tests). */
  errors: Partial<
    Record<400 | 401 | 403 | 404 | 409 | 415 | 422 | 429 | 502 | 503, readonly string[]>
  >;
}

type ErrorTable = RouteDef["errors"];

/**
 * A route's error table: the tables given, merged in order (the codes of one status concatenated).
 * A call rather than spreads, so that a bundle drops the routes it does not serve: esbuild keeps
 * every object literal that spreads, but drops an unused call of a function marked free of side
 * effects.
 */
// @__NO_SIDE_EFFECTS__
export function errorTable(
  ...tables: { readonly [S in keyof ErrorTable]?: readonly string[] }[]
): ErrorTable {
  const merged: Record<number, string[]> = {};
  for (const table of tables)
    for (const [status, codes] of Object.entries(table)) {
      const list = merged[Number(status)] ?? [];
      list.push(...(codes ?? []));
      merged[Number(status)] = list;
    }
  return merged;
}

/** What an idempotent route can add to its errors (spread into 400, 409 and 422). */
export const IDEMPOTENCY_ERRORS = {
  400: "INVALID_IDEMPOTENCY_KEY",
  409: "IDEMPOTENCY_KEY_IN_USE",
  422: "IDEMPOTENCY_KEY_REUSED",
} as const;

/**
 * What a route with a body schema can answer about its body. INVALID_UNICODE: a string (or key)
 * with an unpaired UTF-16 surrogate (shared/http/validate.ts). INPUT_NOT_STORABLE: DynamoDB
 * refused what the request carried although validation let it through
 * (shared/adapters/dynamo-errors.ts); nothing was changed.
 */
export const BODY_ERRORS = [
  "MALFORMED_JSON",
  "BODY_TOO_LARGE",
  "UNKNOWN_FIELD",
  "MISSING_FIELD",
  "INVALID_FIELD",
  "INVALID_UNICODE",
  "INPUT_NOT_STORABLE",
] as const;
export const AUTH_ERRORS = { 401: ["UNAUTHENTICATED"], 403: ["FORBIDDEN"] } as const;
export const UNAVAILABLE = { 503: ["SERVICE_UNAVAILABLE"] } as const;
export const RATE_LIMITED = { 429: ["RATE_LIMITED"] } as const;
export const NO_EXTERNAL_ID = {
  externalId: "EXTERNAL_ID_NOT_ACCEPTED",
  externalIds: "EXTERNAL_ID_NOT_ACCEPTED",
};
