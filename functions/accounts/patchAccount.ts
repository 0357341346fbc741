import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable, tenantRoleAccess } from "../../infra/iam";
import { VERIFICATION_CODES } from "../../shared/domain/verification";
import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

export const deployment = {
  timeout: 29,
  iam: [
    auditTenant,
    tenantRoleAccess,
    onTable(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, body, actor }) => ({
  body: presentAccount(
    await accountService().update(params.tenantId, params.accountId, body, actor),
  ),
}));
