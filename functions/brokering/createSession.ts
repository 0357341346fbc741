import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable, tenantRoleAccess } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentSession } from "../../shared/http/presenters";
import { BODY_ERRORS, errorTable, RATE_LIMITED, type RouteDef } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { sessionBroker } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "createSession",
  method: "POST",
  path: "/v1/sessions",
  summary: "Get short-lived credentials into a tenant account (service keys)",
  tag: "brokering",
  auth: ["service"],
  rateLimit: "service",
  body: s.CreateSessionRequest,
  fieldCodes: {
    durationSeconds: "INVALID_DURATION",
    region: "INVALID_REGION",
    permissionSet: "UNKNOWN_PERMISSION_SET",
  },
  success: {
    status: 201,
    schema: s.Session,
    description: "Credentials; audited before they were returned.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_DURATION",
        "DURATION_EXCEEDS_GRANT",
        "PERMISSION_SET_REQUIRED",
        "UNKNOWN_PERMISSION_SET",
        "INVALID_REGION",
        "REGION_NOT_ENABLED",
        "SESSION_REJECTED",
      ],
    },
    { 401: ["UNAUTHENTICATED"] },
    { 403: ["FORBIDDEN", "NOT_GRANTED", "TENANT_SUSPENDED"] },
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    { 409: ["ACCOUNT_UNAVAILABLE", "ACCOUNT_FROZEN"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 502: ["TENANT_ROLE_DENIED"] },
    { 503: ["SERVICE_UNAVAILABLE", "STS_THROTTLED"] },
  ),
} as const satisfies RouteDef;

export const deployment = {
  // Credentials are cached per warm container; more memory, faster TLS to STS.
  memorySize: 1024,
  iam: [
    tenantRoleAccess,
    // Refusals naming a tenant that does not exist go to the platform's trail.
    auditPlatform,
    onTable(["dynamodb:BatchGetItem", "dynamodb:GetItem"], ["TENANT#*", "GRANT#*", "PERMSET#*"]),
    onTable(["dynamodb:UpdateItem"], ["TENANT#*"]),
    onTable(["dynamodb:PutItem"], ["AUDIT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ body, caller, requestId }) => {
  const session = await sessionBroker().issue(
    { keyId: caller.keyId, service: caller.service ?? "" },
    body,
    requestId,
  );
  return { body: presentSession(session) };
});
