import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { auditStore, httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "listPlatformAudit",
  method: "GET",
  path: "/v1/audit",
  summary:
    "The platform's audit trail, newest first: tenants, API keys, grants and permission sets created, changed or removed",
  tag: "brokering",
  auth: ["admin"],
  query: s.AuditQuery,
  success: {
    status: 200,
    schema: s.AuditList,
    description: "One page of records (kept until they expire).",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:Query"], ["AUDIT-PLATFORM"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ query }) => {
  const page = await auditStore().listPlatform({
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    limit: query.limit ?? 50,
    cursor: query.nextToken,
  });
  return { body: { items: page.items, nextToken: page.nextCursor } };
});
