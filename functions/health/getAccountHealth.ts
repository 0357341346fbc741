import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as a from "../../shared/http/schemas/accounts";
import * as h from "../../shared/http/schemas/health";
import { httpDeps, tenantLookup } from "../../shared/wiring/common";
import { accountHealth } from "../../shared/wiring/health";

export const route = {
  operationId: "getAccountHealth",
  method: "GET",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}/health",
  summary: "An account's health and its recent checks",
  tag: "health",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: a.AccountPath,
  success: {
    status: 200,
    schema: h.AccountHealthView,
    description: "Current state and the most recent checks.",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:GetItem", "dynamodb:Query"], ["TENANT#*", "HEALTH#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params }) => {
  await tenantLookup().get(params.tenantId);
  return { body: await accountHealth(params.tenantId, params.accountId) };
});
