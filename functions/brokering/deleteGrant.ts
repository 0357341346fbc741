import type { Deployment } from "../../infra/functions";
import { auditPlatform, onIndex, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { grantService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "deleteGrant",
  method: "DELETE",
  path: "/v1/grants/{grantId}",
  summary: "Revoke a grant: the service gets no session with it from the next request on",
  tag: "brokering",
  auth: ["admin"],
  params: s.GrantPath,
  success: { status: 204, description: "Revoked." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["GRANT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    // Only the shards of the index's GRANT list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#GRANT#*"]),
    onTable(["dynamodb:DeleteItem"], ["GRANT#*", "TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => {
  await grantService().delete(params.grantId, actor);
  return {};
});
