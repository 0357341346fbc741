import type { Deployment } from "../../infra/functions";
import { tableArn } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as c from "../../shared/http/schemas/common";
import { httpDeps } from "../../shared/wiring/common";
import { readiness } from "../../shared/wiring/health";

export const route = {
  operationId: "health",
  method: "GET",
  path: "/v1/health",
  summary: "Liveness and readiness of the control plane",
  tag: "health",
  auth: "public",
  success: {
    status: 200,
    schema: c.Health,
    description: "The control plane and its table are reachable.",
  },
  errors: UNAVAILABLE,
} as const satisfies RouteDef;

export const deployment = {
  iam: [{ Effect: "Allow", Action: ["dynamodb:DescribeTable"], Resource: tableArn }],
} satisfies Deployment;

/** Ready means the table answers (shared/services/readiness.ts). */
export const handler = httpHandler(route, httpDeps, async () => {
  await readiness().check();
  return { body: { status: "ok" } };
});
