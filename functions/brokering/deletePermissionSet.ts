import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "deletePermissionSet",
  method: "DELETE",
  path: "/v1/permission-sets/{name}",
  summary: "Delete a permission set (grants naming it stop issuing sessions with it)",
  tag: "brokering",
  auth: ["admin"],
  params: s.PermissionSetPath,
  success: { status: 204, description: "Deleted." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["PERMISSION_SET_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [auditPlatform, onTable(["dynamodb:DeleteItem"], ["PERMSET#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => {
  await permissionSetService().delete(params.name, actor);
  return {};
});
