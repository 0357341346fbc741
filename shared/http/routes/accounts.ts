import { VERIFICATION_CODES } from "../../domain/verification";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../route-def";
import * as s from "../schemas/accounts";
import * as c from "../schemas/common";

export const createOnboardingLink = {
  operationId: "createOnboardingLink",
  method: "POST",
  path: "/v1/tenants/{tenantId}/onboarding-links",
  summary:
    "Create a CloudFormation quick-create link that connects an AWS account, with a new registration token",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  query: s.OnboardingQuery,
  success: {
    status: 201,
    schema: s.OnboardingLink,
    description:
      "The link, its template, stack name and parameters. Its registration token is shown only here: every call makes a new one.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_QUERY_PARAMETER",
        "MALFORMED_JSON",
        "BODY_TOO_LARGE",
        "UNKNOWN_FIELD",
        "INVALID_REGION",
        "REGION_OUTSIDE_PARTITION",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const registerAccount = {
  operationId: "registerAccount",
  method: "POST",
  path: "/v1/tenants/{tenantId}/accounts",
  summary: "Register an AWS account by its role ARN; the role is verified before it counts",
  tag: "accounts",
  idempotent: true,
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
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
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_ACCOUNT_ID",
        "INVALID_ROLE_ARN",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "INVALID_REGION",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: [IDEMPOTENCY_ERRORS[409], "ACCOUNT_SETTINGS_DIFFER", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const listAccounts = {
  operationId: "listAccounts",
  method: "GET",
  path: "/v1/tenants/{tenantId}/accounts",
  summary: "List a tenant's registered accounts",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  query: s.AccountListQuery,
  success: {
    status: 200,
    schema: s.AccountList,
    description: "One page of accounts, by account ID.",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const getAccount = {
  operationId: "getAccount",
  method: "GET",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}",
  summary: "Read a registered account",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: s.AccountPath,
  success: { status: 200, schema: s.Account, description: "The account." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const patchAccount = {
  operationId: "patchAccount",
  method: "PATCH",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}",
  summary:
    "Change a registered account's role ARN or regions; verified before anything changes, its freeze and health kept",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: s.AccountPath,
  body: s.PatchAccountRequest,
  fieldCodes: { roleArn: "INVALID_ROLE_ARN", regions: "INVALID_REGION" },
  success: { status: 200, schema: s.Account, description: "Changed and VERIFIED." },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_ROLE_ARN",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "INVALID_REGION",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["ACCOUNT_DETACHED", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deleteAccount = {
  operationId: "deleteAccount",
  method: "DELETE",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}",
  summary: "Deregister an account (the role in it is left as it is)",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: s.AccountPath,
  success: { status: 204, description: "Deregistered." },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["ACCOUNT_FROZEN", "CONCURRENT_MODIFICATION"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const verifyAccount = {
  operationId: "verifyAccount",
  method: "POST",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}/verify",
  summary: "Verify an account's role again, now",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: s.AccountPath,
  success: { status: 200, schema: s.Account, description: "VERIFIED again." },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "MALFORMED_JSON",
        "BODY_TOO_LARGE",
        "UNKNOWN_FIELD",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["ACCOUNT_DETACHED", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const freezeAccount = {
  operationId: "freezeAccount",
  method: "POST",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}/freeze",
  summary:
    "Emergency brake: attach the role's deny policy, stopping every session it issued, and broker none",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: s.AccountPath,
  success: { status: 200, schema: s.Account, description: "Frozen (also when it already was)." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["EMERGENCY_BRAKE_NOT_ENABLED", "CONCURRENT_MODIFICATION"] },
    { 502: ["TENANT_ROLE_DENIED", "EMERGENCY_BRAKE_NOT_APPLIED"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const unfreezeAccount = {
  operationId: "unfreezeAccount",
  method: "POST",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}/unfreeze",
  summary:
    "Release the emergency brake: revoke every session issued until now, then detach the deny policy; new sessions are brokered again",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: s.AccountPath,
  success: { status: 200, schema: s.Account, description: "Not frozen (also when it was not)." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["SESSION_REVOCATION_NOT_ENABLED", "CONCURRENT_MODIFICATION"] },
    { 502: ["TENANT_ROLE_DENIED"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

/** Tenant AWS accounts: onboarding link, registration, verification. */
export const accountRoutes = {
  createOnboardingLink,
  registerAccount,
  listAccounts,
  getAccount,
  patchAccount,
  deleteAccount,
  verifyAccount,
  freezeAccount,
  unfreezeAccount,
} as const;
