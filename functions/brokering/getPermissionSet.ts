import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "getPermissionSet",
  method: "GET",
  path: "/v1/permission-sets/{name}",
  summary: "Read a permission set",
  tag: "brokering",
  auth: ["admin"],
  params: s.PermissionSetPath,
  success: { status: 200, schema: s.PermissionSet, description: "The permission set." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["PERMISSION_SET_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [onTable(["dynamodb:GetItem"], ["PERMSET#*"])],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params }) => ({
  body: presentPermissionSet(await permissionSetService().get(params.name)),
}));
