/**
 * The REST API, one entry per operation, by area (routes/). Handlers import only their area,
 * so a bundle carries only its own routes and schemas; this module gathers them for the OpenAPI
 * document, the client and the tests (which check serverless.yml against it).
 */
import { accountRoutes } from "./routes/accounts";
import { brokeringRoutes } from "./routes/brokering";
import { healthRoutes } from "./routes/health";
import { organizationRoutes } from "./routes/organizations";
import { tenantRoutes } from "./routes/tenants";

export type { RouteDef } from "./route-def";

/** The areas, by name: the same names as functions/<area>/, routes/, schemas/ and wiring/. */
export const areas = {
  tenants: tenantRoutes,
  accounts: accountRoutes,
  brokering: brokeringRoutes,
  health: healthRoutes,
  organizations: organizationRoutes,
} as const;

export const routes = {
  ...healthRoutes,
  ...tenantRoutes,
  ...accountRoutes,
  ...brokeringRoutes,
  ...organizationRoutes,
} as const;

export type RouteName = keyof typeof routes;
