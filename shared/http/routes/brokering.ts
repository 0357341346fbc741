import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../route-def";
import * as s from "../schemas/brokering";
import * as c from "../schemas/common";

export const putPermissionSet = {
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
  errors: /* @__PURE__ */ errorTable(
    { 400: BODY_ERRORS },
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_POLICY", "POLICY_TOO_LARGE"] },
    AUTH_ERRORS,
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const getPermissionSet = {
  operationId: "getPermissionSet",
  method: "GET",
  path: "/v1/permission-sets/{name}",
  summary: "Read a permission set",
  tag: "brokering",
  auth: ["admin"],
  params: s.PermissionSetPath,
  success: { status: 200, schema: s.PermissionSet, description: "The permission set." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["PERMISSION_SET_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deletePermissionSet = {
  operationId: "deletePermissionSet",
  method: "DELETE",
  path: "/v1/permission-sets/{name}",
  summary: "Delete a permission set (grants naming it stop issuing sessions with it)",
  tag: "brokering",
  auth: ["admin"],
  params: s.PermissionSetPath,
  success: { status: 204, description: "Deleted." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["PERMISSION_SET_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listPermissionSets = {
  operationId: "listPermissionSets",
  method: "GET",
  path: "/v1/permission-sets",
  summary: "List permission sets",
  tag: "brokering",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.PermissionSetList, description: "One page, by name." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const createGrant = {
  operationId: "createGrant",
  method: "POST",
  path: "/v1/grants",
  summary: "Let a service get sessions for a tenant (or all tenants) with these permission sets",
  tag: "brokering",
  idempotent: true,
  auth: ["admin"],
  body: s.CreateGrantRequest,
  success: { status: 201, schema: s.Grant, description: "The grant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    { 400: ["UNKNOWN_PERMISSION_SET"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: [IDEMPOTENCY_ERRORS[409], "GRANT_EXISTS"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listGrants = {
  operationId: "listGrants",
  method: "GET",
  path: "/v1/grants",
  summary: "List grants",
  tag: "brokering",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.GrantList, description: "One page, oldest first." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deleteGrant = {
  operationId: "deleteGrant",
  method: "DELETE",
  path: "/v1/grants/{grantId}",
  summary: "Revoke a grant: the service gets no session with it from the next request on",
  tag: "brokering",
  auth: ["admin"],
  params: s.GrantPath,
  success: { status: 204, description: "Revoked." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["GRANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const createSession = {
  operationId: "createSession",
  method: "POST",
  path: "/v1/sessions",
  summary: "Get short-lived credentials into a tenant account (service keys)",
  tag: "brokering",
  auth: ["service"],
  rateLimit: "service",
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
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_DURATION",
        "DURATION_EXCEEDS_GRANT",
        "PERMISSION_SET_REQUIRED",
        "UNKNOWN_PERMISSION_SET",
        "INVALID_REGION",
        "REGION_NOT_ENABLED",
        "SESSION_REJECTED",
      ],
    },
    { 401: ["UNAUTHENTICATED"] },
    { 403: ["FORBIDDEN", "NOT_GRANTED", "TENANT_SUSPENDED"] },
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["ACCOUNT_UNAVAILABLE", "ACCOUNT_FROZEN"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 502: ["TENANT_ROLE_DENIED"] },
    { 503: ["SERVICE_UNAVAILABLE", "STS_THROTTLED"] },
  ),
} as const satisfies RouteDef;

export const whoami = {
  operationId: "whoami",
  method: "GET",
  path: "/v1/whoami",
  summary: "The calling key: its ID and role, and for a service key its grants and their accounts",
  tag: "brokering",
  auth: ["admin", "tenant", "service"],
  success: {
    status: 200,
    schema: s.CallerView,
    description: "The key, and what a service key may broker (`cpctl whoami`, `cpctl profiles`).",
  },
  errors: /* @__PURE__ */ errorTable({ 401: ["UNAUTHENTICATED"] }, UNAVAILABLE),
} as const satisfies RouteDef;

export const listAudit = {
  operationId: "listAudit",
  method: "GET",
  path: "/v1/tenants/{tenantId}/audit",
  summary:
    "A tenant's audit trail, newest first: sessions, brakes and every change to its accounts, organization and external IDs",
  tag: "brokering",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  query: s.AuditQuery,
  success: {
    status: 200,
    schema: s.AuditList,
    description: "One page of records (kept after the tenant is deleted, until they expire).",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listPlatformAudit = {
  operationId: "listPlatformAudit",
  method: "GET",
  path: "/v1/audit",
  summary:
    "The platform's audit trail, newest first: tenants, API keys, grants and permission sets created, changed or removed",
  tag: "brokering",
  auth: ["admin"],
  query: s.AuditQuery,
  success: {
    status: 200,
    schema: s.AuditList,
    description: "One page of records (kept until they expire).",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

/** Permission sets, grants, sessions and their audit. */
export const brokeringRoutes = {
  putPermissionSet,
  getPermissionSet,
  deletePermissionSet,
  listPermissionSets,
  createGrant,
  listGrants,
  deleteGrant,
  createSession,
  whoami,
  listAudit,
  listPlatformAudit,
} as const;
