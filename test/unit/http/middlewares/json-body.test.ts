import { describe, expect, it } from "vitest";
import { toHttpResponse } from "../../../../shared/http/error-mapper";
import { jsonBody } from "../../../../shared/http/middlewares/json-body";
import { refusal, requestOf, runBefore } from "./request";

const JSON_TYPE = { "content-type": "application/json" };
const UNSUPPORTED = "UNSUPPORTED_MEDIA_TYPE";

describe("jsonBody", () => {
  it.each([
    ["an object", '{"name":"Acme","n":[1,2]}', { name: "Acme", n: [1, 2] }],
    ["a JSON scalar, as API Gateway passes it (a string)", "false", false],
    ["zero", "0", 0],
    ["null", "null", null],
  ])("%s: parsed onto the request's state", async (_name, body, parsed) => {
    const request = requestOf({ event: { body, headers: JSON_TYPE } });
    expect(await runBefore(jsonBody(), request)).toBeUndefined();
    expect(request.context.http.body).toEqual(parsed);
  });

  it.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["application/merge-patch+json", true],
    ["application/jsonx", false],
    ["text/json", false],
    ["application/x-www-form-urlencoded", false],
  ])("content type %s: parsed %s", async (contentType, parsed) => {
    const request = requestOf({ event: { body: "{}", headers: { "content-type": contentType } } });
    if (parsed) await runBefore(jsonBody(), request);
    else expect((await refusal(jsonBody(), request)).code).toBe(UNSUPPORTED);
    expect(request.context.http.body).toEqual(parsed ? {} : undefined);
  });

  it("a body sent as base64 is decoded first", async () => {
    const body = Buffer.from('{"name":"Acme"}').toString("base64");
    const request = requestOf({ event: { body, isBase64Encoded: true, headers: JSON_TYPE } });
    await runBefore(jsonBody(), request);
    expect(request.context.http.body).toEqual({ name: "Acme" });
  });

  it.each([
    ["none", null],
    ["empty", ""],
  ])("%s: no body, whatever the content type", async (_name, body) => {
    const request = requestOf({ event: { body, headers: {} } });
    await runBefore(jsonBody(), request);
    expect(request.context.http.body).toBeUndefined();
  });

  it.each([
    ["not JSON", '{"name":', JSON_TYPE, 400, "MALFORMED_JSON"],
    ["not sent as JSON", "name=Acme", { "content-type": "text/plain" }, 415, UNSUPPORTED],
    ["without a content type", '{"name":"Acme"}', {}, 415, UNSUPPORTED],
  ])("%s: refused (%i)", async (_name, body, headers, status, code) => {
    const request = requestOf({ event: { body, headers } });
    const { response } = toHttpResponse(await refusal(jsonBody(), request), "req-unit");
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toBe(code);
    expect(request.context.http.body).toBeUndefined();
  });
});
