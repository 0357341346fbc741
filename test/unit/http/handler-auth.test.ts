import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { route as createSession } from "../../../functions/brokering/createSession";
import { UnauthenticatedError } from "../../../shared/errors";
import { httpHandler } from "../../../shared/http/handler";
import type { RouteDef } from "../../../shared/http/route-def";
import { ROOT } from "../../../tools/local-aws/local-stack";
import { routes } from "../../support/functions";

/**
 * Issue #26, point 3: which requests may be authenticated from the container's key cache. Every
 * authenticated route is called through the real middleware with a stub that records what it was
 * asked: only GET routes may use the cache; issuing credentials and every change read the key.
 */
const event = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/apigw-rest-event.json"), "utf8"),
) as APIGatewayProxyEvent;
const context = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/lambda-context.json"), "utf8"),
) as Context;

async function authenticationAsked(route: RouteDef) {
  const asked: { secret: string | undefined; allowCached: boolean }[] = [];
  const handler = httpHandler(
    route,
    () => ({
      authenticate: async (secret, options) => {
        asked.push({ secret, ...options });
        // A revoked key, as the service would refuse it: nothing after authentication runs.
        throw new UnauthenticatedError();
      },
      admit: async () => {
        throw new Error("a refused key must not be counted");
      },
      maxBodyBytes: 1024,
    }),
    async () => {
      throw new Error("the handler must not run");
    },
  );
  const res = await handler(
    {
      ...event,
      httpMethod: route.method,
      headers: { ...event.headers, Authorization: "Bearer cpk_revoked-key" },
    },
    context,
  );
  return { status: res.statusCode, asked };
}

const authenticated = (Object.values(routes) as RouteDef[]).filter((r) => r.auth !== "public");

describe("the key cache in the middleware", () => {
  it("covers every method the API has", () => {
    expect(new Set(authenticated.map((r) => r.method))).toEqual(
      new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    );
  });

  it.each(authenticated.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: the cache only for a GET",
    async (_name, route) => {
      const { status, asked } = await authenticationAsked(route);
      expect(status).toBe(401);
      expect(asked).toEqual([{ secret: "cpk_revoked-key", allowCached: route.method === "GET" }]);
    },
  );

  it("the broker never takes a cached key", async () => {
    expect(createSession.method).toBe("POST");
    const { asked } = await authenticationAsked(createSession);
    expect(asked).toEqual([{ secret: "cpk_revoked-key", allowCached: false }]);
  });
});
