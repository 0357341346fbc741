import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentTenant } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  NO_EXTERNAL_ID,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "createTenant",
  method: "POST",
  path: "/v1/tenants",
  summary: "Register a tenant and issue its external ID",
  tag: "tenants",
  idempotent: true,
  auth: ["admin"],
  body: s.CreateTenantRequest,
  forbiddenFields: NO_EXTERNAL_ID,
  success: {
    status: 201,
    schema: s.Tenant,
    description: "The tenant, with its generated external ID.",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: [IDEMPOTENCY_ERRORS[400]] },
    { 400: BODY_ERRORS },
    { 400: ["EXTERNAL_ID_NOT_ACCEPTED"] },
    AUTH_ERRORS,
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 409: [IDEMPOTENCY_ERRORS[409]] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    onTable(["dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["TENANT#*", "EXTID#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(
  route,
  httpDeps,
  idempotent(route, idempotencyOptions, async ({ body, actor }) => {
    const tenant = await tenantService().create(body.name, actor);
    return { body: presentTenant(tenant, new Date()) };
  }),
);
