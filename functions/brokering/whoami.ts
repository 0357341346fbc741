import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as s from "../../shared/http/schemas/brokering";
import { callerAccess } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const route = {
  operationId: "whoami",
  method: "GET",
  path: "/v1/whoami",
  summary: "The calling key: its ID and role, and for a service key its grants and their accounts",
  tag: "brokering",
  auth: ["admin", "tenant", "service"],
  success: {
    status: 200,
    schema: s.CallerView,
    description: "The key, and what a service key may broker (`cpctl whoami`, `cpctl profiles`).",
  },
  errors: /* @__PURE__ */ errorTable({ 401: ["UNAUTHENTICATED"] }, UNAVAILABLE),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    // A service key's own grants (GRANT#<service>) and the granted tenants' accounts.
    onTable(["dynamodb:Query"], ["GRANT#*", "TENANT#*"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async ({ caller }) => ({
  body: await callerAccess().describe(caller),
}));
