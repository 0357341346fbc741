import type { z } from "zod";
import type { ApiKeyRole } from "../domain/api-key";
import * as s from "./schemas";

/**
 * The REST API, one entry per operation. Handlers take their validation and authorization from
 * here; docs/openapi.yaml is generated from here; a test checks serverless.yml routes against it.
 */
export interface RouteDef {
  operationId: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** With `{param}` placeholders, as in OpenAPI. */
  path: string;
  summary: string;
  tag: string;
  /** Roles admitted; "public" needs no key. */
  auth: "public" | readonly ApiKeyRole[];
  /** When true, a tenant key is admitted only for its own `{tenantId}`; others get 404. */
  tenantScoped?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Body schema; routes without one accept no body (or `{}`). */
  body?: z.ZodType;
  /** Fields that must never come from a client, each with its own error code. */
  forbiddenFields?: Record<string, string>;
  success: { status: 200 | 201 | 204; schema?: z.ZodType; description: string };
  /** Error codes this route can answer with, by status (for the document and the tests). */
  errors: Partial<Record<400 | 401 | 403 | 404 | 409 | 415 | 503, readonly string[]>>;
}

const BODY_ERRORS = [
  "MALFORMED_JSON",
  "BODY_TOO_LARGE",
  "UNKNOWN_FIELD",
  "MISSING_FIELD",
  "INVALID_FIELD",
] as const;
const AUTH_ERRORS = { 401: ["UNAUTHENTICATED"], 403: ["FORBIDDEN"] } as const;
const UNAVAILABLE = { 503: ["SERVICE_UNAVAILABLE"] } as const;
const NO_EXTERNAL_ID = {
  externalId: "EXTERNAL_ID_NOT_ACCEPTED",
  externalIds: "EXTERNAL_ID_NOT_ACCEPTED",
};

export const routes = {
  health: {
    operationId: "health",
    method: "GET",
    path: "/v1/health",
    summary: "Liveness and readiness of the control plane",
    tag: "health",
    auth: "public",
    success: {
      status: 200,
      schema: s.Health,
      description: "The control plane and its table are reachable.",
    },
    errors: UNAVAILABLE,
  },
  createTenant: {
    operationId: "createTenant",
    method: "POST",
    path: "/v1/tenants",
    summary: "Register a tenant and issue its external ID",
    tag: "tenants",
    auth: ["admin"],
    body: s.CreateTenantRequest,
    forbiddenFields: NO_EXTERNAL_ID,
    success: {
      status: 201,
      schema: s.Tenant,
      description: "The tenant, with its generated external ID.",
    },
    errors: {
      400: [...BODY_ERRORS, "EXTERNAL_ID_NOT_ACCEPTED"],
      ...AUTH_ERRORS,
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  listTenants: {
    operationId: "listTenants",
    method: "GET",
    path: "/v1/tenants",
    summary: "List tenants, oldest first",
    tag: "tenants",
    auth: ["admin"],
    query: s.ListQuery,
    success: { status: 200, schema: s.TenantList, description: "One page of tenants." },
    errors: {
      400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      ...UNAVAILABLE,
    },
  },
  getTenant: {
    operationId: "getTenant",
    method: "GET",
    path: "/v1/tenants/{tenantId}",
    summary: "Read a tenant and its valid external IDs",
    tag: "tenants",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    success: { status: 200, schema: s.Tenant, description: "The tenant." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  deleteTenant: {
    operationId: "deleteTenant",
    method: "DELETE",
    path: "/v1/tenants/{tenantId}",
    summary: "Delete a tenant and everything under it except audit records",
    tag: "tenants",
    auth: ["admin"],
    params: s.TenantPath,
    success: { status: 204, description: "Deleted." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  rotateExternalId: {
    operationId: "rotateExternalId",
    method: "POST",
    path: "/v1/tenants/{tenantId}/external-id/rotate",
    summary: "Issue a new external ID; the previous one stays valid for the overlap window",
    tag: "tenants",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    forbiddenFields: NO_EXTERNAL_ID,
    success: {
      status: 200,
      schema: s.Tenant,
      description: "The tenant with its new current external ID.",
    },
    errors: {
      400: [
        "INVALID_PATH_PARAMETER",
        "MALFORMED_JSON",
        "BODY_TOO_LARGE",
        "UNKNOWN_FIELD",
        "EXTERNAL_ID_NOT_ACCEPTED",
      ],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      409: ["CONCURRENT_MODIFICATION"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  createApiKey: {
    operationId: "createApiKey",
    method: "POST",
    path: "/v1/api-keys",
    summary: "Create an API key; the secret is returned once",
    tag: "api-keys",
    auth: ["admin"],
    body: s.CreateApiKeyRequest,
    success: { status: 201, schema: s.CreatedApiKey, description: "The key, with its secret." },
    errors: {
      400: [...BODY_ERRORS, "INVALID_KEY_SCOPE"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  listApiKeys: {
    operationId: "listApiKeys",
    method: "GET",
    path: "/v1/api-keys",
    summary: "List API keys (never their secrets)",
    tag: "api-keys",
    auth: ["admin"],
    query: s.ListQuery,
    success: { status: 200, schema: s.ApiKeyList, description: "One page of keys, oldest first." },
    errors: {
      400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      ...UNAVAILABLE,
    },
  },
  revokeApiKey: {
    operationId: "revokeApiKey",
    method: "DELETE",
    path: "/v1/api-keys/{keyId}",
    summary: "Revoke an API key",
    tag: "api-keys",
    auth: ["admin"],
    params: s.KeyPath,
    success: { status: 200, schema: s.ApiKey, description: "The revoked key." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["API_KEY_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof routes;
