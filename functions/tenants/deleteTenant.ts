import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "deleteTenant",
  method: "DELETE",
  path: "/v1/tenants/{tenantId}",
  summary: "Delete a tenant and everything under it except audit records",
  tag: "tenants",
  auth: ["admin"],
  params: c.TenantPath,
  success: { status: 204, description: "Deleted." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    // The tenant's items and what its pointers stand for: reservations, keys, tokens, grants.
    onTable(
      ["dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"],
      ["TENANT#*", "EXTID#*", "APIKEY#*", "REGTOKEN#*", "GRANT#*"],
    ),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => {
  await tenantService().delete(params.tenantId, actor);
  return {};
});
