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
import * as s from "../../shared/http/schemas/accounts";
import * as c from "../../shared/http/schemas/common";
import { onboardingService } from "../../shared/wiring/accounts";
import { accessConfig, httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "createOnboardingLink",
  method: "POST",
  path: "/v1/tenants/{tenantId}/onboarding-links",
  summary:
    "Create a CloudFormation quick-create link that connects an AWS account, with a new registration token",
  tag: "accounts",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  query: s.OnboardingQuery,
  success: {
    status: 201,
    schema: s.OnboardingLink,
    description:
      "The link, its template, stack name and parameters. Its registration token is shown only here: every call makes a new one.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_QUERY_PARAMETER",
        "MALFORMED_JSON",
        "BODY_TOO_LARGE",
        "UNKNOWN_FIELD",
        "INVALID_REGION",
        "REGION_OUTSIDE_PARTITION",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditTenant,
    onTable(
      ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"],
      ["TENANT#*", "REGTOKEN#*"],
    ),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, query, actor }) => ({
  body: await onboardingService().link(
    params.tenantId,
    query.region ?? accessConfig().region,
    actor,
  ),
}));
