import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  NO_EXTERNAL_ID,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../route-def";
import * as c from "../schemas/common";
import * as s from "../schemas/tenants";

export const createTenant = {
  operationId: "createTenant",
  method: "POST",
  path: "/v1/tenants",
  summary: "Register a tenant and issue its external ID",
  tag: "tenants",
  idempotent: true,
  auth: ["admin"],
  body: s.CreateTenantRequest,
  forbiddenFields: NO_EXTERNAL_ID,
  success: {
    status: 201,
    schema: s.Tenant,
    description: "The tenant, with its generated external ID.",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    { 400: ["EXTERNAL_ID_NOT_ACCEPTED"] },
    AUTH_ERRORS,
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 409: [IDEMPOTENCY_ERRORS[409]] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listTenants = {
  operationId: "listTenants",
  method: "GET",
  path: "/v1/tenants",
  summary: "List tenants, oldest first",
  tag: "tenants",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.TenantList, description: "One page of tenants." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const getTenant = {
  operationId: "getTenant",
  method: "GET",
  path: "/v1/tenants/{tenantId}",
  summary: "Read a tenant and its valid external IDs",
  tag: "tenants",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  success: { status: 200, schema: s.Tenant, description: "The tenant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deleteTenant = {
  operationId: "deleteTenant",
  method: "DELETE",
  path: "/v1/tenants/{tenantId}",
  summary: "Delete a tenant and everything under it except audit records",
  tag: "tenants",
  auth: ["admin"],
  params: c.TenantPath,
  success: { status: 204, description: "Deleted." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const rotateExternalId = {
  operationId: "rotateExternalId",
  method: "POST",
  path: "/v1/tenants/{tenantId}/external-id/rotate",
  summary: "Issue a new external ID; the previous one stays valid for the overlap window",
  tag: "tenants",
  idempotent: true,
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  body: s.RotateExternalIdRequest,
  forbiddenFields: NO_EXTERNAL_ID,
  success: {
    status: 200,
    schema: s.Tenant,
    description: "The tenant with its new current external ID.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: [IDEMPOTENCY_ERRORS[400], "INVALID_PATH_PARAMETER"] },
    { 400: BODY_ERRORS },
    { 400: ["EXTERNAL_ID_NOT_ACCEPTED"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    {
      409: [IDEMPOTENCY_ERRORS[409], "CONCURRENT_MODIFICATION", "ROTATION_WOULD_STRAND_ACCOUNTS"],
    },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const createApiKey = {
  operationId: "createApiKey",
  method: "POST",
  path: "/v1/api-keys",
  summary: "Create an API key; the secret is returned once",
  tag: "tenants",
  auth: ["admin"],
  body: s.CreateApiKeyRequest,
  success: { status: 201, schema: s.CreatedApiKey, description: "The key, with its secret." },
  errors: /* @__PURE__ */ errorTable(
    { 400: BODY_ERRORS },
    { 400: ["INVALID_KEY_SCOPE"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listApiKeys = {
  operationId: "listApiKeys",
  method: "GET",
  path: "/v1/api-keys",
  summary: "List API keys (never their secrets)",
  tag: "tenants",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.ApiKeyList, description: "One page of keys, oldest first." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const revokeApiKey = {
  operationId: "revokeApiKey",
  method: "DELETE",
  path: "/v1/api-keys/{keyId}",
  summary: "Revoke an API key",
  tag: "tenants",
  auth: ["admin"],
  params: s.KeyPath,
  success: { status: 200, schema: s.ApiKey, description: "The revoked key." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["API_KEY_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const suspendTenant = {
  operationId: "suspendTenant",
  method: "POST",
  path: "/v1/tenants/{tenantId}/suspend",
  summary: "Suspend a tenant: no session is issued for it from now on, cached or not",
  tag: "tenants",
  auth: ["admin"],
  params: c.TenantPath,
  success: { status: 200, schema: s.Tenant, description: "The suspended tenant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const resumeTenant = {
  operationId: "resumeTenant",
  method: "POST",
  path: "/v1/tenants/{tenantId}/resume",
  summary: "Resume a suspended tenant",
  tag: "tenants",
  auth: ["admin"],
  params: c.TenantPath,
  success: { status: 200, schema: s.Tenant, description: "The tenant, no longer suspended." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

/** Tenants and API keys. */
export const tenantRoutes = {
  createTenant,
  listTenants,
  getTenant,
  deleteTenant,
  rotateExternalId,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  suspendTenant,
  resumeTenant,
} as const;
