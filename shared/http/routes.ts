import type * as z from "zod/mini";
import type { ApiKeyRole } from "../domain/api-key";
import { VERIFICATION_CODES } from "../domain/verification";
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
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  /** Body schema; routes without one accept no body (or `{}`). */
  body?: z.ZodMiniType;
  /** Fields that must never come from a client, each with its own error code. */
  forbiddenFields?: Record<string, string>;
  /** Error codes for invalid values of particular body fields (instead of INVALID_FIELD). */
  fieldCodes?: Record<string, string>;
  success: {
    status: 200 | 201 | 204;
    schema?: z.ZodMiniType;
    description: string;
    /** A second success status with the same body (e.g. 200 when a PUT-like POST changed nothing new). */
    alternate?: { status: 200; description: string };
  };
  /** Error codes this route can answer with, by status (for the document and the tests). */
  errors: Partial<Record<400 | 401 | 403 | 404 | 409 | 415 | 422 | 502 | 503, readonly string[]>>;
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
  getOnboardingLink: {
    operationId: "getOnboardingLink",
    method: "GET",
    path: "/v1/tenants/{tenantId}/onboarding",
    summary: "Build the CloudFormation quick-create link that connects an AWS account",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    query: s.OnboardingQuery,
    success: {
      status: 200,
      schema: s.OnboardingLink,
      description: "The link, its template, stack name and parameters.",
    },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "REGION_OUTSIDE_PARTITION"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  registerAccount: {
    operationId: "registerAccount",
    method: "POST",
    path: "/v1/tenants/{tenantId}/accounts",
    summary: "Register an AWS account by its role ARN; the role is verified before it counts",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    body: s.RegisterAccountRequest,
    fieldCodes: {
      accountId: "INVALID_ACCOUNT_ID",
      roleArn: "INVALID_ROLE_ARN",
      regions: "INVALID_REGION",
    },
    success: {
      status: 201,
      schema: s.Account,
      description: "Registered and VERIFIED.",
      alternate: {
        status: 200,
        description: "Was already registered; verified again and updated.",
      },
    },
    errors: {
      400: [
        ...BODY_ERRORS,
        "INVALID_PATH_PARAMETER",
        "INVALID_ACCOUNT_ID",
        "INVALID_ROLE_ARN",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "INVALID_REGION",
      ],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      409: ["CONCURRENT_MODIFICATION"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      422: VERIFICATION_CODES,
      ...UNAVAILABLE,
    },
  },
  listAccounts: {
    operationId: "listAccounts",
    method: "GET",
    path: "/v1/tenants/{tenantId}/accounts",
    summary: "List a tenant's registered accounts",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    query: s.ListQuery,
    success: {
      status: 200,
      schema: s.AccountList,
      description: "One page of accounts, by account ID.",
    },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  getAccount: {
    operationId: "getAccount",
    method: "GET",
    path: "/v1/tenants/{tenantId}/accounts/{accountId}",
    summary: "Read a registered account",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.AccountPath,
    success: { status: 200, schema: s.Account, description: "The account." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  deleteAccount: {
    operationId: "deleteAccount",
    method: "DELETE",
    path: "/v1/tenants/{tenantId}/accounts/{accountId}",
    summary: "Deregister an account (the role in it is left as it is)",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.AccountPath,
    success: { status: 204, description: "Deregistered." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  verifyAccount: {
    operationId: "verifyAccount",
    method: "POST",
    path: "/v1/tenants/{tenantId}/accounts/{accountId}/verify",
    summary: "Verify an account's role again, now",
    tag: "accounts",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.AccountPath,
    success: { status: 200, schema: s.Account, description: "VERIFIED again." },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"],
      409: ["CONCURRENT_MODIFICATION"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      422: VERIFICATION_CODES,
      ...UNAVAILABLE,
    },
  },
  suspendTenant: {
    operationId: "suspendTenant",
    method: "POST",
    path: "/v1/tenants/{tenantId}/suspend",
    summary: "Suspend a tenant: no session is issued for it from now on, cached or not",
    tag: "tenants",
    auth: ["admin"],
    params: s.TenantPath,
    success: { status: 200, schema: s.Tenant, description: "The suspended tenant." },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  resumeTenant: {
    operationId: "resumeTenant",
    method: "POST",
    path: "/v1/tenants/{tenantId}/resume",
    summary: "Resume a suspended tenant",
    tag: "tenants",
    auth: ["admin"],
    params: s.TenantPath,
    success: { status: 200, schema: s.Tenant, description: "The tenant, no longer suspended." },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  putPermissionSet: {
    operationId: "putPermissionSet",
    method: "PUT",
    path: "/v1/permission-sets/{name}",
    summary: "Create or replace a permission set (a named session policy)",
    tag: "brokering",
    auth: ["admin"],
    params: s.PermissionSetPath,
    body: s.PutPermissionSetRequest,
    success: {
      status: 201,
      schema: s.PermissionSet,
      description: "Created.",
      alternate: {
        status: 200,
        description: "Replaced; sessions issued from now on use the new policy.",
      },
    },
    errors: {
      400: [...BODY_ERRORS, "INVALID_PATH_PARAMETER", "INVALID_POLICY", "POLICY_TOO_LARGE"],
      ...AUTH_ERRORS,
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  getPermissionSet: {
    operationId: "getPermissionSet",
    method: "GET",
    path: "/v1/permission-sets/{name}",
    summary: "Read a permission set",
    tag: "brokering",
    auth: ["admin"],
    params: s.PermissionSetPath,
    success: { status: 200, schema: s.PermissionSet, description: "The permission set." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["PERMISSION_SET_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  deletePermissionSet: {
    operationId: "deletePermissionSet",
    method: "DELETE",
    path: "/v1/permission-sets/{name}",
    summary: "Delete a permission set (grants naming it stop issuing sessions with it)",
    tag: "brokering",
    auth: ["admin"],
    params: s.PermissionSetPath,
    success: { status: 204, description: "Deleted." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["PERMISSION_SET_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  listPermissionSets: {
    operationId: "listPermissionSets",
    method: "GET",
    path: "/v1/permission-sets",
    summary: "List permission sets",
    tag: "brokering",
    auth: ["admin"],
    query: s.ListQuery,
    success: { status: 200, schema: s.PermissionSetList, description: "One page, by name." },
    errors: {
      400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      ...UNAVAILABLE,
    },
  },
  createGrant: {
    operationId: "createGrant",
    method: "POST",
    path: "/v1/grants",
    summary: "Let a service get sessions for a tenant (or all tenants) with these permission sets",
    tag: "brokering",
    auth: ["admin"],
    body: s.CreateGrantRequest,
    success: { status: 201, schema: s.Grant, description: "The grant." },
    errors: {
      400: [...BODY_ERRORS, "UNKNOWN_PERMISSION_SET"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      409: ["GRANT_EXISTS"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      ...UNAVAILABLE,
    },
  },
  listGrants: {
    operationId: "listGrants",
    method: "GET",
    path: "/v1/grants",
    summary: "List grants",
    tag: "brokering",
    auth: ["admin"],
    query: s.ListQuery,
    success: { status: 200, schema: s.GrantList, description: "One page, oldest first." },
    errors: {
      400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      ...UNAVAILABLE,
    },
  },
  deleteGrant: {
    operationId: "deleteGrant",
    method: "DELETE",
    path: "/v1/grants/{grantId}",
    summary: "Revoke a grant: the service gets no session with it from the next request on",
    tag: "brokering",
    auth: ["admin"],
    params: s.GrantPath,
    success: { status: 204, description: "Revoked." },
    errors: {
      400: ["INVALID_PATH_PARAMETER"],
      ...AUTH_ERRORS,
      404: ["GRANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
  createSession: {
    operationId: "createSession",
    method: "POST",
    path: "/v1/sessions",
    summary: "Get short-lived credentials into a tenant account (service keys)",
    tag: "brokering",
    auth: ["service"],
    body: s.CreateSessionRequest,
    fieldCodes: {
      durationSeconds: "INVALID_DURATION",
      region: "INVALID_REGION",
      permissionSet: "UNKNOWN_PERMISSION_SET",
    },
    success: {
      status: 201,
      schema: s.Session,
      description: "Credentials; audited before they were returned.",
    },
    errors: {
      400: [
        ...BODY_ERRORS,
        "INVALID_DURATION",
        "DURATION_EXCEEDS_GRANT",
        "PERMISSION_SET_REQUIRED",
        "UNKNOWN_PERMISSION_SET",
        "INVALID_REGION",
        "REGION_NOT_ENABLED",
        "SESSION_REJECTED",
      ],
      401: ["UNAUTHENTICATED"],
      403: ["FORBIDDEN", "NOT_GRANTED", "TENANT_SUSPENDED"],
      404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"],
      409: ["ACCOUNT_UNAVAILABLE"],
      415: ["UNSUPPORTED_MEDIA_TYPE"],
      502: ["TENANT_ROLE_DENIED"],
      503: ["SERVICE_UNAVAILABLE", "STS_THROTTLED"],
    },
  },
  listAudit: {
    operationId: "listAudit",
    method: "GET",
    path: "/v1/tenants/{tenantId}/audit",
    summary: "Session audit records of a tenant, newest first",
    tag: "brokering",
    auth: ["admin", "tenant"],
    tenantScoped: true,
    params: s.TenantPath,
    query: s.AuditQuery,
    success: {
      status: 200,
      schema: s.AuditList,
      description: "One page of records (kept after the tenant is deleted, until they expire).",
    },
    errors: {
      400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"],
      ...AUTH_ERRORS,
      404: ["TENANT_NOT_FOUND"],
      ...UNAVAILABLE,
    },
  },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof routes;
