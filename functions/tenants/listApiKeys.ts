import type { Deployment } from "../../infra/functions";
import { cursorKey, onIndex } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyListing } from "../../shared/wiring/tenants";

export const route = {
  operationId: "listApiKeys",
  method: "GET",
  path: "/v1/api-keys",
  summary: "List API keys (never their secrets)",
  tag: "tenants",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.ApiKeyList, description: "One page of keys, oldest first." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    cursorKey,
    // Only the shards of the index's APIKEY list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#APIKEY#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ query }) => {
  const page = await apiKeyListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  return { body: { items: page.items.map(presentApiKey), nextToken: page.nextCursor } };
});
