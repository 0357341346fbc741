import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../../tools/local-aws/local-stack";

export interface HttpEvent {
  functionName: string;
  handler: string;
  method: string;
  /** Leading slash, `{param}` placeholders, as in routes.ts. */
  path: string;
}

interface FunctionDef {
  handler: string;
  events?: { http?: { method: string; path: string } }[];
  iamRoleStatements?: unknown[];
}

export function serverlessConfig(): {
  functions: Record<string, FunctionDef>;
  [k: string]: unknown;
} {
  return parse(readFileSync(join(ROOT, "serverless.yml"), "utf8"));
}

/** The HTTP routes serverless.yml exposes (what API Gateway would route). */
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
