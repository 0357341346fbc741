import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "suspendTenant",
  method: "POST",
  path: "/v1/tenants/{tenantId}/suspend",
  summary: "Suspend a tenant: no session is issued for it from now on, cached or not",
  tag: "tenants",
  auth: ["admin"],
  params: c.TenantPath,
  success: { status: 200, schema: s.Tenant, description: "The suspended tenant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER", "MALFORMED_JSON", "BODY_TOO_LARGE", "UNKNOWN_FIELD"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [auditPlatform, onTable(["dynamodb:UpdateItem"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => ({
  body: presentTenant(await tenantService().setSuspended(params.tenantId, true, actor), new Date()),
}));
