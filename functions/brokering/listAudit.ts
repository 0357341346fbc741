import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import * as c from "../../shared/http/schemas/common";
import { auditStore } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "listAudit",
  method: "GET",
  path: "/v1/tenants/{tenantId}/audit",
  summary:
    "A tenant's audit trail, newest first: sessions, brakes and every change to its accounts, organization and external IDs",
  tag: "brokering",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  query: s.AuditQuery,
  success: {
    status: 200,
    schema: s.AuditList,
    description: "One page of records (kept after the tenant is deleted, until they expire).",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER", "INVALID_NEXT_TOKEN"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:Query"], ["AUDIT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, query }) => {
  const page = await auditStore().list(params.tenantId, {
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    limit: query.limit ?? 50,
    cursor: query.nextToken,
  });
  return { body: { items: page.items, nextToken: page.nextCursor } };
});
