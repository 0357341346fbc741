import type { Deployment } from "../../infra/functions";
import { cursorKey, onIndex } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantListing } from "../../shared/wiring/tenants";

export const route = {
  operationId: "listTenants",
  method: "GET",
  path: "/v1/tenants",
  summary: "List tenants, oldest first",
  tag: "tenants",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.TenantList, description: "One page of tenants." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    cursorKey,
    // Only the shards of the index's TENANT list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ query }) => {
  const page = await tenantListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  const now = new Date();
  return {
    body: { items: page.items.map((t) => presentTenant(t, now)), nextToken: page.nextCursor },
  };
});
