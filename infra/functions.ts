/**
 * The functions of the control plane, derived from their modules: every `functions/<area>/<name>.ts`
 * exports its `handler`, its `deployment` (IAM statements, timeout, memory, events other than
 * HTTP) and, for an API operation, its `route` (shared/http/route-def.ts). serverless.ts, the
 * OpenAPI document, the client's operation table, the local stack, the bench and the tests all read
 * them through here; nothing else lists them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { RouteDef } from "../shared/http/route-def";
import {
  authenticate,
  type IamStatement,
  idempotency,
  rateLimit,
  tenantRoleAccess,
  xray,
} from "./iam";

/** What a function module declares about its deployment, beyond its route. */
export interface Deployment {
  /**
   * Its role's statements, beyond what its route implies (`routeStatements`) and X-Ray's (every
   * function's, from the provider).
   */
  iam: readonly IamStatement[];
  /** Seconds; the provider's default otherwise (10). API Gateway answers 504 after 29. */
  timeout?: number;
  /** MB; the provider's default otherwise (512). */
  memorySize?: number;
  environment?: Record<string, string>;
  /** The role's name, where the generated one would pass IAM's 64 characters. */
  iamRoleStatementsName?: string;
  /** Events other than the route's (schedules, topics). */
  events?: readonly Record<string, unknown>[];
  maximumRetryAttempts?: number;
  maximumEventAge?: number;
  destinations?: Record<string, unknown>;
}

export interface FunctionModule {
  handler: unknown;
  deployment: Deployment;
  route?: RouteDef;
}

export interface ControlPlaneFunction {
  /** The function's name: its file's, its route's operationId. */
  name: string;
  area: string;
  /** Relative to the repository, e.g. functions/brokering/createSession.ts. */
  file: string;
  route?: RouteDef;
  deployment: Deployment;
}

export const ROOT = join(__dirname, "..");

/** The function modules' files, relative to the repository, in a stable order. */
export function functionFiles(root = ROOT): string[] {
  const files: string[] = [];
  for (const area of readdirSync(join(root, "functions")).sort())
    for (const file of readdirSync(join(root, "functions", area)).sort())
      if (file.endsWith(".ts")) files.push(`functions/${area}/${file}`);
  return files;
}

/**
 * Each module checked for what the rest relies on: a deployment, and a route named as its file.
 * `modules` maps a file (as `functionFiles` names it) to its exports.
 */
export function controlPlaneFunctions(
  modules: Record<string, Partial<FunctionModule>>,
): ControlPlaneFunction[] {
  return Object.entries(modules)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, mod]) => {
      const match = /^functions\/([^/]+)\/([^/]+)\.ts$/.exec(file);
      if (!match) throw new Error(`${file} is not a function module (functions/<area>/<name>.ts)`);
      const [, area, name] = match as unknown as [string, string, string];
      if (!mod.deployment) throw new Error(`${file} exports no deployment`);
      if (typeof mod.handler !== "function") throw new Error(`${file} exports no handler`);
      if (mod.route && mod.route.operationId !== name)
        throw new Error(
          `${file}: its route's operationId is ${mod.route.operationId}, not ${name}`,
        );
      if (mod.route && mod.route.tag !== area)
        throw new Error(`${file}: its route's tag is ${mod.route.tag}, not its area ${area}`);
      return {
        name,
        area,
        file,
        deployment: mod.deployment,
        ...(mod.route ? { route: mod.route } : {}),
      };
    });
}

/** Loads every function module with `load` (Node's require under tsx, as osls loads serverless.ts). */
export function loadFunctions(
  load: (path: string) => Partial<FunctionModule> = require,
  root = ROOT,
): ControlPlaneFunction[] {
  return controlPlaneFunctions(
    Object.fromEntries(functionFiles(root).map((file) => [file, load(join(root, file))])),
  );
}

/** The API operations, by operationId. */
export function routesOf(functions: readonly ControlPlaneFunction[]): Record<string, RouteDef> {
  return Object.fromEntries(
    functions.flatMap((f) => (f.route ? [[f.route.operationId, f.route] as const] : [])),
  );
}

/**
 * What the HTTP pipeline (shared/http/handler.ts) does with the table, as its route asks: look up
 * the caller's key, keep Idempotency-Key records, count the request against its rate limit.
 */
export function routeStatements(route: RouteDef | undefined): IamStatement[] {
  if (!route) return [];
  return [
    ...(route.auth === "public" ? [] : [authenticate]),
    ...(route.idempotent ? [idempotency] : []),
    ...(route.rateLimit ? [rateLimit] : []),
  ];
}

/** A function's role, as deployed: its route's statements, then its own. X-Ray's come from the provider. */
export function statementsOf(fn: ControlPlaneFunction): IamStatement[] {
  return [...routeStatements(fn.route), ...fn.deployment.iam];
}

/** Whether a function assumes tenant roles, so that its role must live under the access path. */
export function assumesTenantRoles(fn: ControlPlaneFunction): boolean {
  return statementsOf(fn).includes(tenantRoleAccess);
}

/** The serverless configuration's `functions`. */
export function serverlessFunctions(
  functions: readonly ControlPlaneFunction[],
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    functions.map((fn) => {
      const { iam: _iam, events = [], ...settings } = fn.deployment;
      const http = fn.route
        ? [{ http: { method: fn.route.method.toLowerCase(), path: fn.route.path.slice(1) } }]
        : [];
      return [
        fn.name,
        {
          handler: `${fn.file.replace(/\.ts$/, "")}.handler`,
          ...settings,
          events: [...http, ...events],
          iamRoleStatements: statementsOf(fn),
        },
      ];
    }),
  );
}

/**
 * The execution roles of the functions that assume tenant roles live under the access path
 * (ACCESS_ROLE_PATH): a `resources.extensions` entry per such role.
 */
export function accessRoleExtensions(
  functions: readonly ControlPlaneFunction[],
  path: string,
): Record<string, { Properties: { Path: string } }> {
  return Object.fromEntries(
    functions
      .filter(assumesTenantRoles)
      .map((fn) => [
        `${fn.name[0]?.toUpperCase()}${fn.name.slice(1)}IamRoleLambdaExecution`,
        { Properties: { Path: path } },
      ]),
  );
}

/** Every function's role has X-Ray's statements (the provider's, inherited). */
export const PROVIDER_STATEMENTS: readonly IamStatement[] = [xray];
