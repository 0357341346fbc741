import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable, tenantRoleAccess } from "../../infra/iam";
import { VERIFICATION_CODES } from "../../shared/domain/verification";
import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

export const deployment = {
  timeout: 29,
  iam: [
    auditTenant,
    tenantRoleAccess,
    // The emergency brake: attach (or detach) the tenant role's deny policy through the role itself.
    onTable(["dynamodb:GetItem", "dynamodb:PutItem"], ["TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => ({
  body: presentAccount(await accountService().verify(params.tenantId, params.accountId, actor)),
}));
