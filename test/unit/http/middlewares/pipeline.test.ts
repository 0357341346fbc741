import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { optional, regex, strictObject, string } from "zod/mini";
import type { Caller } from "../../../../shared/domain/api-key";
import type { RateBucket } from "../../../../shared/domain/rate-limit";
import { RateLimitedError, UnauthenticatedError } from "../../../../shared/errors";
import { type HttpRequest, httpHandler } from "../../../../shared/http/handler";
import type { RouteDef } from "../../../../shared/http/route-def";
import eventFixture from "../../../fixtures/apigw-rest-event.json";
import contextFixture from "../../../fixtures/lambda-context.json";

/**
 * The order of the steps in httpHandler, through the composed handler: each request below breaks
 * several rules at once, and the answer names the one the order puts first.
 */
const route = {
  operationId: "renameThing",
  method: "PATCH",
  path: "/v1/tenants/{tenantId}/thing",
  summary: "Renames the thing",
  tag: "Things",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: strictObject({ tenantId: string().check(regex(/^tnt_[a-z]+$/)) }),
  query: strictObject({ dryRun: optional(string().check(regex(/^(true|false)$/))) }),
  body: strictObject({ name: string() }),
  idempotent: true,
  rateLimit: "tenant",
  success: { status: 200, description: "Renamed" },
  errors: {},
} satisfies RouteDef;

const KEYS: Record<string, Caller> = {
  cpk_tenant_own: { keyId: "key_t", role: "tenant", tenantId: "tnt_own" },
  cpk_service_key: { keyId: "key_s", role: "service", service: "billing" },
  cpk_admin_key: { keyId: "key_a", role: "admin" },
};

function stack(options: { overBudget?: boolean } = {}) {
  const counted: [RateBucket, string][] = [];
  const received: HttpRequest<typeof route>[] = [];
  const handler = httpHandler(
    route,
    () => ({
      authenticate: async (secret) => {
        const caller = secret === undefined ? undefined : KEYS[secret];
        if (caller === undefined) throw new UnauthenticatedError();
        return caller;
      },
      admit: async (bucket, subject) => {
        counted.push([bucket, subject]);
        if (options.overBudget) throw new RateLimitedError("Too many requests", 7);
      },
      maxBodyBytes: 64,
    }),
    async (req) => {
      received.push(req);
      return { body: { renamed: req.body.name } };
    },
  );
  return { handler, counted, received };
}

interface Sent {
  key?: string;
  tenantId?: string;
  body?: string;
  query?: Record<string, string>;
  idempotencyKey?: string;
}

const context = contextFixture as unknown as Context;

function eventOf(sent: Sent): APIGatewayProxyEvent {
  const event = structuredClone(eventFixture) as unknown as APIGatewayProxyEvent;
  return {
    ...event,
    httpMethod: "PATCH",
    headers: {
      ...event.headers,
      "Content-Type": "application/json",
      ...(sent.key ? { Authorization: `Bearer ${sent.key}` } : {}),
      ...(sent.idempotencyKey !== undefined ? { "Idempotency-Key": sent.idempotencyKey } : {}),
    },
    pathParameters: { tenantId: sent.tenantId ?? "tnt_own" },
    queryStringParameters: sent.query ?? null,
    body: sent.body ?? '{"name":"New"}',
  };
}

async function send(sent: Sent, options?: { overBudget?: boolean }) {
  const { handler, counted, received } = stack(options);
  const res = await handler(eventOf(sent), context);
  const body = JSON.parse(res.body);
  return {
    status: res.statusCode,
    code: body.error?.code as string | undefined,
    counted,
    received,
  };
}

/** Everything about the input wrong at once. */
const ALL_WRONG: Sent = {
  tenantId: "not a tenant",
  body: `{"name": ${"x".repeat(100)}`,
  query: { dryRun: "maybe" },
  idempotencyKey: "two words",
};

describe("the pipeline's order", () => {
  it.each([
    ["no key: 401, nothing about the input", { ...ALL_WRONG }, 401, "UNAUTHENTICATED"],
    [
      "a key the route does not admit: 403",
      { ...ALL_WRONG, key: "cpk_service_key" },
      403,
      "FORBIDDEN",
    ],
    ["then the path", { ...ALL_WRONG, key: "cpk_tenant_own" }, 400, "INVALID_PATH_PARAMETER"],
    [
      "a tenant key asking about another tenant: 404 before anything about its input",
      { ...ALL_WRONG, key: "cpk_tenant_own", tenantId: "tnt_other" },
      404,
      "TENANT_NOT_FOUND",
    ],
    [
      "then the body's size, before it is parsed",
      { ...ALL_WRONG, key: "cpk_tenant_own", tenantId: "tnt_own" },
      400,
      "BODY_TOO_LARGE",
    ],
    [
      "then its syntax",
      { ...ALL_WRONG, key: "cpk_tenant_own", tenantId: "tnt_own", body: '{"name":' },
      400,
      "MALFORMED_JSON",
    ],
    [
      "then its fields",
      { ...ALL_WRONG, key: "cpk_tenant_own", tenantId: "tnt_own", body: "{}" },
      400,
      "MISSING_FIELD",
    ],
    [
      "then the query",
      { ...ALL_WRONG, key: "cpk_tenant_own", tenantId: "tnt_own", body: '{"name":"New"}' },
      400,
      "INVALID_QUERY_PARAMETER",
    ],
    [
      "then the Idempotency-Key",
      {
        ...ALL_WRONG,
        key: "cpk_tenant_own",
        tenantId: "tnt_own",
        body: '{"name":"New"}',
        query: {},
      },
      400,
      "INVALID_IDEMPOTENCY_KEY",
    ],
  ] as const)("%s (%i %s), and nothing counted", async (_name, sent, status, code) => {
    const { status: got, code: gotCode, counted, received } = await send(sent);
    expect([got, gotCode]).toEqual([status, code]);
    expect(counted).toEqual([]);
    expect(received).toEqual([]);
  });

  it("the rate limit last: a request refused there never reaches the handler", async () => {
    const { status, code, counted, received } = await send(
      { key: "cpk_tenant_own", idempotencyKey: "k-1" },
      { overBudget: true },
    );
    expect([status, code]).toEqual([429, "RATE_LIMITED"]);
    expect(counted).toEqual([["tenant", "tnt_own"]]);
    expect(received).toEqual([]);
  });

  it("a well-formed request: counted once, the handler gets what the steps established", async () => {
    const { status, counted, received } = await send({
      key: "cpk_admin_key",
      tenantId: "tnt_any",
      query: { dryRun: "true" },
      idempotencyKey: "k-1",
    });
    expect(status).toBe(200);
    expect(counted).toEqual([["admin", "tnt_any#key_a"]]);
    expect(received).toEqual([
      {
        params: { tenantId: "tnt_any" },
        query: { dryRun: "true" },
        body: { name: "New" },
        caller: KEYS.cpk_admin_key,
        requestId: eventFixture.requestContext.requestId,
        actor: {
          requestId: eventFixture.requestContext.requestId,
          keyId: "key_a",
          keyRole: "admin",
        },
        idempotencyKey: "k-1",
      },
    ]);
  });

  it("a context used again carries nothing from the request before", async () => {
    const { handler, received } = stack();
    await handler(eventOf({ key: "cpk_admin_key", idempotencyKey: "k-1" }), context);
    await handler(eventOf({ key: "cpk_admin_key" }), context);
    expect(received[0]).toHaveProperty("idempotencyKey", "k-1");
    expect(received[1]).not.toHaveProperty("idempotencyKey");
  });
});
