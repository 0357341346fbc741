import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentOrganization } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationReader } from "../../shared/wiring/organizations";

export const route = {
  operationId: "getOrganization",
  method: "GET",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Read the tenant's organization connection: its latest job's progress, the last sync's counts",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  success: { status: 200, schema: s.Organization, description: "The connection." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ORGANIZATION_NOT_CONNECTED"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:GetItem"], ["TENANT#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params }) => {
  const { connection, job } = await organizationReader().withJob(params.tenantId);
  return { body: presentOrganization(connection, job) };
});
