import { join } from "node:path";
import { ROOT } from "../../infra/functions";
import type { IamStatement } from "../../infra/iam";

export interface HttpEvent {
  functionName: string;
  handler: string;
  method: string;
  /** Leading slash, `{param}` placeholders, as in the routes. */
  path: string;
}

interface FunctionDef {
  handler: string;
  events?: { http?: { method: string; path: string } }[];
  iamRoleStatements?: IamStatement[];
  [k: string]: unknown;
}

interface Configuration {
  functions: Record<string, FunctionDef>;
  provider: Record<string, unknown>;
  resources: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

let loaded: Configuration | undefined;

/**
 * serverless.ts as osls loads it (through tsx's require), before osls resolves its variables.
 * Plain data only: its functions' modules are loaded in their own module graph, apart from the
 * one vitest imports handlers from.
 */
export function serverlessConfig(): Configuration {
  if (!loaded) {
    const tsx = require("tsx/cjs/api") as { require: (id: string, from: string) => unknown };
    const mod = tsx.require(join(ROOT, "serverless.ts"), __filename) as {
      default?: Configuration;
    };
    loaded = (mod.default ?? mod) as Configuration;
  }
  return loaded;
}

/** The HTTP routes serverless.ts deploys (what API Gateway would route). */
export function httpEvents(): HttpEvent[] {
  const out: HttpEvent[] = [];
  for (const [functionName, fn] of Object.entries(serverlessConfig().functions)) {
    for (const event of fn.events ?? []) {
      if (event.http) {
        out.push({
          functionName,
          handler: fn.handler,
          method: event.http.method.toUpperCase(),
          path: `/${event.http.path}`,
        });
      }
    }
  }
  return out;
}
