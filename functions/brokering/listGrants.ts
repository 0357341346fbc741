import type { Deployment } from "../../infra/functions";
import { cursorKey, onIndex } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import * as c from "../../shared/http/schemas/common";
import { grantListing } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "listGrants",
  method: "GET",
  path: "/v1/grants",
  summary: "List grants",
  tag: "brokering",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.GrantList, description: "One page, oldest first." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    cursorKey,
    // Only the shards of the index's GRANT list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#GRANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ query }) => {
  const page = await grantListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  return { body: { items: page.items, nextToken: page.nextCursor } };
});
