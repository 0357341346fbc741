import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentTenant } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  IDEMPOTENCY_ERRORS,
  NO_EXTERNAL_ID,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";
import { externalIdRotation } from "../../shared/wiring/tenants";

export const route = {
  operationId: "rotateExternalId",
  method: "POST",
  path: "/v1/tenants/{tenantId}/external-id/rotate",
  summary: "Issue a new external ID; the previous one stays valid for the overlap window",
  tag: "tenants",
  idempotent: true,
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  body: s.RotateExternalIdRequest,
  forbiddenFields: NO_EXTERNAL_ID,
  success: {
    status: 200,
    schema: s.Tenant,
    description: "The tenant with its new current external ID.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: [IDEMPOTENCY_ERRORS[400], "INVALID_PATH_PARAMETER"] },
    { 400: BODY_ERRORS },
    { 400: ["EXTERNAL_ID_NOT_ACCEPTED"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    {
      409: [IDEMPOTENCY_ERRORS[409], "CONCURRENT_MODIFICATION", "ROTATION_WOULD_STRAND_ACCOUNTS"],
    },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: [IDEMPOTENCY_ERRORS[422]] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditTenant,
    onTable(
      ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
      ["TENANT#*", "EXTID#*"],
    ),
    // The rotation rule reads the tenant's accounts (one paged Query of its partition).
    onTable(["dynamodb:Query"], ["TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(
  route,
  httpDeps,
  idempotent(route, idempotencyOptions, async ({ params, body, actor }) => {
    const tenant = await externalIdRotation().rotate(params.tenantId, actor, {
      force: body?.force === true,
    });
    return { body: presentTenant(tenant, new Date()) };
  }),
);
