import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { grantService } from "../../shared/wiring/brokering";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";

export const route = {
  operationId: "createGrant",
  method: "POST",
  path: "/v1/grants",
  summary: "Let a service get sessions for a tenant (or all tenants) with these permission sets",
  tag: "brokering",
  idempotent: true,
  auth: ["admin"],
  body: s.CreateGrantRequest,
  success: { status: 201, schema: s.Grant, description: "The grant." },
  errors: /* @__PURE__ */ errorTable(
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    { 400: ["UNKNOWN_PERMISSION_SET"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: [IDEMPOTENCY_ERRORS[409], "GRANT_EXISTS"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    onTable(
      [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
      ],
      ["GRANT#*", "TENANT#*", "PERMSET#*"],
    ),
  ],
} satisfies Deployment;

export const handler = httpHandler(
  route,
  httpDeps,
  idempotent(route, idempotencyOptions, async ({ body, actor }) => ({
    body: await grantService().create(body, actor),
  })),
);
