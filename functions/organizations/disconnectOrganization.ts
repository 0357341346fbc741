import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import {
  AUTH_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationRecords } from "../../shared/wiring/organizations";

export const route = {
  operationId: "disconnectOrganization",
  method: "DELETE",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Disconnect the organization: syncing stops; its accounts stay registered unless removeAccounts=true",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  query: s.DisconnectQuery,
  success: { status: 204, description: "Disconnected." },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ORGANIZATION_NOT_CONNECTED"] },
    { 409: ["ACCOUNT_FROZEN", "CONCURRENT_MODIFICATION"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  // The generated role name would pass IAM's 64 characters.
  iamRoleStatementsName: "${self:service}-${sls:stage}-${aws:region}-orgDisconnect",
  iam: [
    auditTenant,
    // The connection marked disconnecting (PutItem), its job and accounts deleted, then itself.
    // The organization sync's schedule: starts each organization's sync job once a period
    // (ORGANIZATION_SYNC_PERIOD_MINUTES) and resumes a job whose chain was lost. It runs more often
    // than the period, so that a lost chain waits minutes, not an hour.
    onTable(
      ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      ["TENANT#*"],
    ),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, query, actor }) => {
  await organizationRecords().disconnect(params.tenantId, query.removeAccounts === "true", actor);
  return { status: 204 };
});
