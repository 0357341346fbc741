import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable, tenantRoleAccess } from "../../infra/iam";
import { VERIFICATION_CODES } from "../../shared/domain/verification";
import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentAccount } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/accounts";
import * as c from "../../shared/http/schemas/common";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";

export const route = {
  operationId: "registerAccount",
  method: "POST",
  path: "/v1/tenants/{tenantId}/accounts",
  summary: "Register an AWS account by its role ARN; the role is verified before it counts",
  tag: "accounts",
  idempotent: true,
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  body: s.RegisterAccountRequest,
  fieldCodes: {
    accountId: "INVALID_ACCOUNT_ID",
    roleArn: "INVALID_ROLE_ARN",
    regions: "INVALID_REGION",
  },
  success: {
    status: 201,
    schema: s.Account,
    description: "Registered and VERIFIED.",
    alternate: {
      status: 200,
      description: "Was already registered; verified again and updated.",
    },
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_ACCOUNT_ID",
        "INVALID_ROLE_ARN",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "INVALID_REGION",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: [IDEMPOTENCY_ERRORS[409], "ACCOUNT_SETTINGS_DIFFER", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  timeout: 29,
  iam: [
    auditTenant,
    tenantRoleAccess,
    onTable(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(
  route,
  httpDeps,
  idempotent(route, idempotencyOptions, async ({ params, body, actor }) => {
    const { account, created } = await accountService().register(
      params.tenantId,
      body,
      {
        kind: "api",
      },
      actor,
    );
    return { status: created ? 201 : 200, body: presentAccount(account) };
  }),
);
