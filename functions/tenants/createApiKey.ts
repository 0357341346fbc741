import type { Deployment } from "../../infra/functions";
import { auditPlatform, onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  type RouteDef,
  UNAVAILABLE,
} from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyService } from "../../shared/wiring/tenants";

export const route = {
  operationId: "createApiKey",
  method: "POST",
  path: "/v1/api-keys",
  summary: "Create an API key; the secret is returned once",
  tag: "tenants",
  auth: ["admin"],
  body: s.CreateApiKeyRequest,
  success: { status: 201, schema: s.CreatedApiKey, description: "The key, with its secret." },
  errors: /* @__PURE__ */ errorTable(
    { 400: BODY_ERRORS },
    { 400: ["INVALID_KEY_SCOPE"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    auditPlatform,
    onTable(["dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["APIKEY#*", "TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ body, actor }) => {
  const { key, secret } = await apiKeyService().create(body, actor);
  return { body: { ...presentApiKey(key), apiKey: secret } };
});
