import type { Deployment } from "../../infra/functions";
import { auditTenant, invokeFunction, onTable, tenantRoleAccess } from "../../infra/iam";
import { VERIFICATION_CODES } from "../../shared/domain/verification";
import { httpHandler } from "../../shared/http/handler";
import { presentOrganization, presentOrganizationJob } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationService } from "../../shared/wiring/organizations";

export const route = {
  operationId: "connectOrganization",
  method: "POST",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Connect the tenant's AWS Organization: verify the management role, then a job registers every ACTIVE member account",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  body: s.ConnectOrganizationRequest,
  fieldCodes: {
    managementAccountId: "INVALID_ACCOUNT_ID",
    managementRoleArn: "INVALID_ROLE_ARN",
    memberRoleName: "INVALID_ROLE_NAME",
    organizationalUnitIds: "INVALID_ORGANIZATIONAL_UNIT_ID",
  },
  success: {
    status: 202,
    schema: s.ConnectOrganizationResponse,
    description:
      "Connected (or, connected already, its settings updated); a CONNECT job lists the organization and registers its members. GET .../organizations shows its progress.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_ACCOUNT_ID",
        "INVALID_ROLE_ARN",
        "INVALID_ROLE_NAME",
        "INVALID_ORGANIZATIONAL_UNIT_ID",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: ["ORGANIZATION_ALREADY_CONNECTED", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    { 422: ["NOT_AN_ORGANIZATION", "NOT_MANAGEMENT_ACCOUNT"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  timeout: 29,
  // The generated role name would pass IAM's 64 characters.
  iamRoleStatementsName: "${self:service}-${sls:stage}-${aws:region}-orgConnect",
  environment: { ORGANIZATION_JOB_FUNCTION: "${self:service}-${sls:stage}-organizationJob" },
  iam: [
    auditTenant,
    tenantRoleAccess,
    // The tenant, the connection and the job's item (TENANT#<id> / TENANT, ORG, ORGJOB).
    onTable(
      ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
      ["TENANT#*"],
    ),
    // The CONNECT job's first link.
    invokeFunction("organizationJob"),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, body, actor }) => {
  const { organization, job } = await organizationService().connect(params.tenantId, body, actor);
  return {
    status: 202,
    body: {
      organization: presentOrganization(organization, job),
      job: presentOrganizationJob(job),
    },
  };
});
