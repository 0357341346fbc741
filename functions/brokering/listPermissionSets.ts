import type { Deployment } from "../../infra/functions";
import { onIndex } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import * as c from "../../shared/http/schemas/common";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "listPermissionSets",
  method: "GET",
  path: "/v1/permission-sets",
  summary: "List permission sets",
  tag: "brokering",
  auth: ["admin"],
  query: c.ListQuery,
  success: { status: 200, schema: s.PermissionSetList, description: "One page, by name." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    // Only the index's PERMSET list (GSI1PK, shared/adapters/table.ts).
    onIndex(["dynamodb:Query"], ["PERMSET"], true),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ query }) => {
  const page = await permissionSetService().list({
    limit: query.limit ?? 50,
    cursor: query.nextToken,
  });
  return { body: { items: page.items.map(presentPermissionSet), nextToken: page.nextCursor } };
});
