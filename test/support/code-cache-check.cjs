"use strict";
/**
 * Runs under the pinned Lambda Node.js (test/infra/package.test.ts): loads each packaged
 * function through its entry module, as Lambda does, and prints one JSON line per function: what
 * happened to its code cache (infra/code-cache/loader.js records it), whether it exports a
 * handler (to `require`, and as a named export to `import()`, as newer Lambda runtime clients
 * load a handler), and, for an API function, the answer to a request without credentials (401,
 * decided before any AWS call).
 * Usage: node <flags> code-cache-check.cjs '<[{"entry": "...", "http": true}]>'
 */
const { pathToFileURL } = require("node:url");

const STATUS = Symbol.for("cross-account-control-plane.codeCache");

async function check({ entry, http }) {
  delete globalThis[STATUS];
  const exported = require(entry);
  const status = globalThis[STATUS];
  const result = {
    entry,
    cache: status?.status,
    reason: status?.reason,
    handler: typeof exported.handler,
    imported: typeof (await import(pathToFileURL(entry).href)).handler,
  };
  if (http && typeof exported.handler === "function") {
    const response = await exported.handler(
      {
        httpMethod: "GET",
        path: "/v1/tenants",
        resource: "/v1/tenants",
        headers: {},
        multiValueHeaders: {},
        queryStringParameters: null,
        pathParameters: null,
        body: null,
        isBase64Encoded: false,
        requestContext: { requestId: "code-cache-check", identity: { sourceIp: "127.0.0.1" } },
      },
      {
        awsRequestId: "code-cache-check",
        functionName: "check",
        getRemainingTimeInMillis: () => 10_000,
      },
    );
    result.statusCode = response?.statusCode;
    result.code = JSON.parse(response?.body ?? "{}").error?.code;
  }
  return result;
}

(async () => {
  for (const fn of JSON.parse(process.argv[2])) {
    process.stdout.write(`CHECK ${JSON.stringify(await check(fn))}\n`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
