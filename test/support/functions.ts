/// <reference types="vite/client" />
/**
 * The function modules (functions/<area>/<name>.ts) as the tests see them: imported by vitest
 * itself, so that their routes' schemas are the ones the handlers under test validate with.
 * infra/functions.ts checks them as it does for serverless.ts.
 */
import {
  type ControlPlaneFunction,
  controlPlaneFunctions,
  type FunctionModule,
  routesOf,
} from "../../infra/functions";
import type { RouteDef } from "../../shared/http/route-def";

const modules = import.meta.glob<Partial<FunctionModule>>("../../functions/*/*.ts", {
  eager: true,
});

export const functions: ControlPlaneFunction[] = controlPlaneFunctions(
  Object.fromEntries(
    Object.entries(modules).map(([path, mod]) => [path.replace(/^(\.\.\/)+/, ""), mod]),
  ),
);

/** The API operations, by operationId. */
export const routes: Record<string, RouteDef> = routesOf(functions);
