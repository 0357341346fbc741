import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { route as getAccount } from "../../../functions/accounts/getAccount";
import { httpHandler } from "../../../shared/http/handler";
import { logger } from "../../../shared/logger";
import { ROOT } from "../../../tools/local-aws/local-stack";

/**
 * Every log line of a request carries the request ID clients see (x-request-id, error bodies) as
 * `correlation_id`, with method, route, key and tenant; never the key's secret.
 */
const event = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/apigw-rest-event.json"), "utf8"),
) as APIGatewayProxyEvent;
const context = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/lambda-context.json"), "utf8"),
) as Context;
const SECRET = "cpk_log-test-secret";
const TENANT = "tnt_01m842avwd7nqry6k9nnr1wgjf";

let lines: Record<string, unknown>[];
beforeEach(() => {
  lines = [];
  logger.setLogLevel("INFO");
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    for (const line of String(chunk).split("\n"))
      if (line.trim().startsWith("{")) lines.push(JSON.parse(line));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel("SILENT");
});

const handler = httpHandler(
  getAccount,
  () => ({
    authenticate: async () => ({ keyId: "key_log", role: "admin" as const }),
    admit: async () => undefined,
    maxBodyBytes: 1024,
  }),
  async () => ({ body: { ok: true } }),
);

describe("request logs", () => {
  it("carry the request ID, method, route, key and tenant, and no secret", async () => {
    const res = await handler(
      {
        ...event,
        httpMethod: "GET",
        headers: { ...event.headers, Authorization: `Bearer ${SECRET}` },
        pathParameters: { tenantId: TENANT, accountId: "012345678901" },
      },
      context,
    );
    expect(res.statusCode).toBe(200);
    const requestId = event.requestContext.requestId;
    expect(res.headers?.["x-request-id"]).toBe(requestId);
    const done = lines.find((l) => l.message === "request done");
    expect(done).toMatchObject({
      correlation_id: requestId,
      method: "GET",
      route: "getAccount",
      keyId: "key_log",
      tenantId: TENANT,
      status: 200,
    });
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
