import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable, tenantRoleAccess } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import { emergencyBrake } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

/** The emergency brake: detach the tenant role's deny policy through the role itself. */
export const deployment = {
  iam: [
    tenantRoleAccess,
    auditTenant,
    onTable(["dynamodb:GetItem", "dynamodb:PutItem"], ["TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => ({
  body: presentAccount(await emergencyBrake().unfreeze(params.tenantId, params.accountId, actor)),
}));
