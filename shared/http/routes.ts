/**
 * The REST API, one entry per operation, by area (routes/). Handlers import only their area,
 * so a bundle carries only its own routes and schemas; this module gathers them for the OpenAPI
 * document, the client and the tests (which check serverless.yml against it).
 */
import { accountRoutes } from "./routes/accounts";
import { brokeringRoutes } from "./routes/brokering";
import { coreRoutes } from "./routes/core";
import { organizationRoutes } from "./routes/organizations";

export type { RouteDef } from "./route-def";

export const routes = {
  ...coreRoutes,
  ...accountRoutes,
  ...brokeringRoutes,
  ...organizationRoutes,
} as const;

export type RouteName = keyof typeof routes;
