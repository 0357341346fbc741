import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { OPERATIONS } from "../../client/src/operations";
import { ROOT } from "../../infra/functions";
import type { RouteDef } from "../../shared/http/route-def";
import { ErrorResponse } from "../../shared/http/schemas";
import { asFunction } from "./function-iam";

/**
 * Calls the real handlers in-process the way API Gateway would: the operation is looked up by
 * method and path (in the table the contract test keeps equal to the routes), the event is built
 * from the fixture file of a real REST API proxy event, and the operation's module
 * (functions/<area>/<operationId>.ts) is invoked, as its function, under its role.
 */
const baseEvent = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/apigw-rest-event.json"), "utf8"),
);
const baseContext = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/lambda-context.json"), "utf8"),
);

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  key?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /**
   * The invocation's time left when it starts (default 10 s, the functions' timeout). Tests that
   * send many requests at once raise it: the emulator serves one request at a time, so the last of
   * 50 waits for the other 49, which on AWS run side by side.
   */
  remainingMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON that each test asserts on
export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type Handler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;

interface OperationModule {
  handler: Handler;
  route: RouteDef;
}

const modules = new Map<string, OperationModule>();

/** The module of an operation: functions/<area>/<operationId>.ts. */
async function operationModule(operationId: string): Promise<OperationModule> {
  const cached = modules.get(operationId);
  if (cached) return cached;
  const area = readdirSync(join(ROOT, "functions")).find((a) =>
    existsSync(join(ROOT, "functions", a, `${operationId}.ts`)),
  );
  if (!area) throw new Error(`No module functions/<area>/${operationId}.ts`);
  const mod = (await import(join(ROOT, "functions", area, `${operationId}.ts`))) as OperationModule;
  modules.set(operationId, mod);
  return mod;
}

function match(template: string, path: string): Record<string, string> | undefined {
  const t = template.split("/");
  const p = path.split("/");
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] as string;
    const actual = p[i] as string;
    if (seg.startsWith("{") && seg.endsWith("}")) {
      if (actual === "") return undefined;
      params[seg.slice(1, -1)] = decodeURIComponent(actual);
    } else if (seg !== actual) {
      return undefined;
    }
  }
  return params;
}

let counter = 0;

// biome-ignore lint/suspicious/noExplicitAny: see ApiResponse
export async function api<T = any>(req: ApiRequest): Promise<ApiResponse<T>> {
  const found = Object.entries(OPERATIONS).find(
    ([, op]) => op.method === req.method && match(op.path, req.path) !== undefined,
  );
  if (!found) throw new Error(`No operation for ${req.method} ${req.path}`);
  const [operationId, { path: template }] = found;
  const { handler, route } = await operationModule(operationId);
  const pathParameters = match(template, req.path) ?? {};
  const headers: Record<string, string> = { ...baseEvent.headers, ...req.headers };
  if (req.key !== undefined) headers.Authorization = `Bearer ${req.key}`;
  let body: string | null = null;
  if (req.rawBody !== undefined) body = req.rawBody;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== null && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/json";
  }
  counter += 1;
  const event: APIGatewayProxyEvent = {
    ...baseEvent,
    resource: template,
    path: req.path,
    httpMethod: req.method,
    headers,
    queryStringParameters: req.query ?? null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    body,
    requestContext: {
      ...baseEvent.requestContext,
      httpMethod: req.method,
      resourcePath: template,
      requestId: `req-${process.pid}-${counter}`,
    },
  };
  const result = await asFunction(operationId, () =>
    handler(event, {
      ...baseContext,
      awsRequestId: `aws-${counter}`,
      getRemainingTimeInMillis: () => req.remainingMs ?? 10_000,
    } as Context),
  );
  const response = {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: result.body === "" ? undefined : JSON.parse(result.body),
  };
  assertDocumented(route, response);
  return response;
}

/**
 * Every response a test sees must be one the OpenAPI document promises: the route's success schema
 * or the error shape, with a status the route declares.
 */
function assertDocumented(def: RouteDef, res: { status: number; body: unknown }) {
  if (res.status === def.success.status || res.status === def.success.alternate?.status) {
    if (def.success.schema) def.success.schema.parse(res.body);
    else if (res.body !== undefined)
      throw new Error(`${def.operationId}: ${res.status} must have no body`);
    return;
  }
  ErrorResponse.parse(res.body);
  const code = (res.body as { error: { code: string } }).error.code;
  const declared = (def.errors as Record<number, readonly string[]>)[res.status] ?? [];
  if (res.status !== 500 && !declared.includes(code)) {
    throw new Error(`${def.operationId}: ${res.status} ${code} is not declared in its route`);
  }
}
