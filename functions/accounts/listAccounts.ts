import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import * as c from "../../shared/http/schemas/common";
import { accountQueries } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
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

export const deployment = {
  iam: [onTable(["dynamodb:GetItem", "dynamodb:Query"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, query }) => {
  const page = await accountQueries().list(
    params.tenantId,
    { limit: query.limit ?? 50, cursor: query.nextToken },
    query.externalIdStatus,
  );
  return { body: { items: page.items.map(presentAccount), nextToken: page.nextCursor } };
});
