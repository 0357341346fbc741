import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import {
  AUTH_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import { accountRemoval } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

export const deployment = {
  iam: [auditTenant, onTable(["dynamodb:GetItem", "dynamodb:DeleteItem"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => {
  await accountRemoval().delete(params.tenantId, params.accountId, actor);
  return {};
});
