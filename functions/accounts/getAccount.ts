import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import { accountQueries } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

export const deployment = {
  iam: [onTable(["dynamodb:GetItem"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params }) => ({
  body: presentAccount(await accountQueries().get(params.tenantId, params.accountId)),
}));
