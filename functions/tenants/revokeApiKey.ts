import type { Deployment } from "../../infra/functions";
import { auditPlatform, onIndex, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "revokeApiKey",
  method: "DELETE",
  path: "/v1/api-keys/{keyId}",
  summary: "Revoke an API key",
  tag: "tenants",
  auth: ["admin"],
  params: s.KeyPath,
  success: { status: 200, schema: s.ApiKey, description: "The revoked key." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["API_KEY_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    // Only the shards of the index's APIKEY list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#APIKEY#*"]),
    onTable(["dynamodb:UpdateItem"], ["APIKEY#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ params, actor }) => {
  return { body: presentApiKey(await apiKeyService().revoke(params.keyId, actor)) };
});
