import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { type RouteDef, routes } from "../../shared/http/routes";
import { ErrorResponse } from "../../shared/http/schemas";
import { ROOT } from "../../tools/local-aws/local-stack";
import { asFunction } from "./function-iam";
import { httpEvents } from "./serverless-config";

/**
 * Calls the real handlers in-process the way API Gateway would: the route is looked up in
 * serverless.yml, the event is built from the fixture file of a real REST API proxy event, and the
 * handler module named there is invoked.
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
const handlers = new Map<string, Handler>();

async function loadHandler(handlerRef: string): Promise<Handler> {
  const cached = handlers.get(handlerRef);
  if (cached) return cached;
  const file = handlerRef.slice(0, handlerRef.lastIndexOf("."));
  const exportName = handlerRef.slice(handlerRef.lastIndexOf(".") + 1);
  const mod = await import(join(ROOT, `${file}.ts`));
  const handler = mod[exportName] as Handler;
  handlers.set(handlerRef, handler);
  return handler;
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
  const route = httpEvents().find(
    (e) => e.method === req.method && match(e.path, req.path) !== undefined,
  );
  if (!route) throw new Error(`No route in serverless.yml for ${req.method} ${req.path}`);
  const pathParameters = match(route.path, req.path) ?? {};
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
    resource: route.path,
    path: req.path,
    httpMethod: req.method,
    headers,
    queryStringParameters: req.query ?? null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    body,
    requestContext: {
      ...baseEvent.requestContext,
      httpMethod: req.method,
      resourcePath: route.path,
      requestId: `req-${process.pid}-${counter}`,
    },
  };
  const handler = await loadHandler(route.handler);
  const result = await asFunction(route.functionName, () =>
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
  assertDocumented(route.method, route.path, response);
  return response;
}

/**
 * Every response a test sees must be one the OpenAPI document promises: the route's success schema
 * or the error shape, with a status the route declares.
 */
function assertDocumented(method: string, path: string, res: { status: number; body: unknown }) {
  const def = (Object.values(routes) as RouteDef[]).find(
    (r) => r.method === method && r.path === path,
  );
  if (!def) throw new Error(`${method} ${path} is not in routes.ts`);
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
    throw new Error(`${def.operationId}: ${res.status} ${code} is not declared in routes.ts`);
  }
}
