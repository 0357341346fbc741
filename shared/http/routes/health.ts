import { AUTH_ERRORS, errorTable, type RouteDef, UNAVAILABLE } from "../route-def";
import * as a from "../schemas/accounts";
import * as c from "../schemas/common";
import * as h from "../schemas/health";

export const health = {
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

export const getAccountHealth = {
  operationId: "getAccountHealth",
  method: "GET",
  path: "/v1/tenants/{tenantId}/accounts/{accountId}/health",
  summary: "An account's health and its recent checks",
  tag: "health",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: a.AccountPath,
  success: {
    status: 200,
    schema: h.AccountHealthView,
    description: "Current state and the most recent checks.",
  },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ACCOUNT_NOT_FOUND"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const getHealthSummary = {
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

/** The control plane's own health, and the scheduled health checks of tenant accounts. */
export const healthRoutes = {
  health,
  getAccountHealth,
  getHealthSummary,
} as const;
