import { describe, expect, it } from "vitest";
import { BadRequestError } from "../../../../shared/errors";
import { bodyLimit } from "../../../../shared/http/middlewares/body-limit";
import { refusal, requestOf, runBefore } from "./request";

const limit = (maxBodyBytes: number) => bodyLimit(() => ({ maxBodyBytes }));
const withBody = (body: string | null, isBase64Encoded = false) =>
  requestOf({ event: { body, isBase64Encoded } });

describe("bodyLimit", () => {
  it.each([
    ["no body", null, false],
    ["an empty body", "", false],
    ["exactly the limit", "x".repeat(16), false],
    ["16 bytes sent as base64 (24 characters)", Buffer.alloc(16).toString("base64"), true],
  ])("%s: admitted", async (_name, body, base64) => {
    expect(await runBefore(limit(16), withBody(body, base64))).toBeUndefined();
  });

  it.each([
    ["one byte over", "x".repeat(17), false],
    ["8 characters, 17 bytes in UTF-8", `${"é".repeat(8)}x`, false],
    ["17 bytes sent as base64", Buffer.alloc(17).toString("base64"), true],
  ])("%s: 400 BODY_TOO_LARGE", async (_name, body, base64) => {
    const err = await refusal(limit(16), withBody(body, base64));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("BODY_TOO_LARGE");
    expect(err.message).toBe("The request body exceeds 16 bytes");
  });

  it("reads the limit when a request comes, not when the handler is built", async () => {
    let maxBodyBytes = 1024;
    const step = bodyLimit(() => ({ maxBodyBytes }));
    maxBodyBytes = 4;
    expect((await refusal(step, withBody("12345"))).code).toBe("BODY_TOO_LARGE");
  });
});
