import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "putPermissionSet",
  method: "PUT",
  path: "/v1/permission-sets/{name}",
  summary: "Create or replace a permission set (a named session policy)",
  tag: "brokering",
  auth: ["admin"],
  params: s.PermissionSetPath,
  body: s.PutPermissionSetRequest,
  success: {
    status: 201,
    schema: s.PermissionSet,
    description: "Created.",
    alternate: {
      status: 200,
      description: "Replaced; sessions issued from now on use the new policy.",
    },
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: BODY_ERRORS },
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_POLICY", "POLICY_TOO_LARGE"] },
    AUTH_ERRORS,
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [auditPlatform, onTable(["dynamodb:GetItem", "dynamodb:PutItem"], ["PERMSET#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, body, actor }) => {
  const { set, created } = await permissionSetService().put(params.name, body, actor);
  return { status: created ? 201 : 200, body: presentPermissionSet(set) };
});
