import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * tools/local-aws/offline-string-body.mjs, loaded as the local stack loads it (`node --import`),
 * against serverless-offline's own proxy event: the event serverless-offline's HTTP server builds
 * for a request whose JSON body was parsed to `payload` (what hapi hands it).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const PRELOAD = join(ROOT, "tools/local-aws/offline-string-body.mjs");

const EVENT_BODIES = `
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
const entry = createRequire(join(process.cwd(), "package.json")).resolve("serverless-offline");
const events = join(dirname(entry), "events/http/lambda-events/index.js");
const { LambdaProxyIntegrationEvent } = await import(pathToFileURL(events).href);
const bodies = JSON.parse(process.argv[1]).map((payload) => {
  const text = JSON.stringify(payload);
  const request = {
    payload,
    rawPayload: text,
    raw: { req: { rawHeaders: ["Content-Type", "application/json"], url: "/v1/tenants", payload: text } },
    headers: { "content-type": "application/json" },
    params: {},
    info: { received: 1795431600000, remoteAddress: "127.0.0.1" },
    method: "post",
    route: { path: "/v1/tenants" },
  };
  return new LambdaProxyIntegrationEvent(request, "local", "/v1/tenants").create().body;
});
console.log(JSON.stringify(bodies));
`;

function bodiesOf(payloads: unknown[], preload: boolean): unknown[] {
  const args = [
    ...(preload ? ["--import", PRELOAD] : []),
    "--input-type=module",
    "-e",
    EVENT_BODIES,
    JSON.stringify(payloads),
  ];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" }));
}

/** What hapi hands serverless-offline for a JSON body, and the text API Gateway would pass. */
const CASES: [unknown, string | null][] = [
  [false, "false"],
  [0, "0"],
  [{ name: "Acme" }, '{"name":"Acme"}'],
  [true, "true"],
  [1, "1"],
  // JSON null: no body, with or without the preload (the event keeps nothing to tell them apart).
  [null, null],
];

describe("serverless-offline's body, as API Gateway passes it", () => {
  it("without the preload, serverless-offline passes a falsy JSON value parsed (what it mends)", () => {
    expect(bodiesOf([false, 0, { name: "Acme" }], false)).toEqual([false, 0, '{"name":"Acme"}']);
  });

  it("with it, every body arrives as text, as from API Gateway", () => {
    expect(
      bodiesOf(
        CASES.map(([payload]) => payload),
        true,
      ),
    ).toEqual(CASES.map(([, text]) => text));
  });
});
