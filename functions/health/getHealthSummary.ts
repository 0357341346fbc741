import type { Deployment } from "../../infra/functions";
import { onTable } from "../../infra/iam";
import { httpHandler } from "../../shared/http/handler";
import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../../shared/http/route-def";
import * as h from "../../shared/http/schemas/health";
import { httpDeps } from "../../shared/wiring/common";
import { healthStore } from "../../shared/wiring/health";

export const route = {
  operationId: "getHealthSummary",
  method: "GET",
  path: "/v1/health-summary",
  summary: "Accounts per health state, the oldest check, and the last sweep's duration",
  tag: "health",
  auth: ["admin"],
  success: {
    status: 200,
    schema: h.HealthSummary,
    description: "The summary of the last completed sweep.",
  },
  errors: /* @__PURE__ */ errorTable(AUTH_ERRORS, UNAVAILABLE),
} as const satisfies RouteDef;

export const deployment = {
  iam: [
    // The scheduled health sweep; it continues in a new invocation of itself when its time runs out.
    onTable(["dynamodb:GetItem"], ["SWEEP"]),
  ],
} satisfies Deployment;

export const handler = httpHandler(route, httpDeps, async () => {
  const last = await healthStore().summary();
  if (!last) return { body: { states: { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 }, checked: 0 } };
  return {
    body: {
      states: last.states,
      checked: last.checked,
      ...(last.oldestCheck ? { oldestCheck: last.oldestCheck } : {}),
      lastSweep: {
        startedAt: last.startedAt,
        finishedAt: last.finishedAt,
        durationMs: last.durationMs,
      },
    },
  };
});
