import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "getTenant",
  method: "GET",
  path: "/v1/tenants/{tenantId}",
  summary: "Read a tenant and its valid external IDs",
  tag: "tenants",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  success: { status: 200, schema: s.Tenant, description: "The tenant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:GetItem"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params }) => {
  const tenant = await tenantService().get(params.tenantId);
  return { body: presentTenant(tenant, new Date()) };
});
