import { describe, expect, it } from "vitest";
import { BadRequestError } from "../../../../shared/errors";
import { idempotencyKey } from "../../../../shared/http/middlewares/idempotency-key";
import { refusal, requestOf, runBefore } from "./request";

const withKey = (key: string | undefined) =>
  requestOf({ event: { headers: key === undefined ? {} : { "idempotency-key": key } } });

describe("idempotencyKey", () => {
  it.each([
    ["a UUID", "4f1c2a9e-8d2b-4b8e-9a3f-0c6d1e2f3a4b"],
    ["one character", "x"],
    ["255 characters", "k".repeat(255)],
    ["any printable ASCII", "!~{}[]#$%&'*+/=?^_`|"],
  ])("%s: taken", async (_name, key) => {
    const request = withKey(key);
    expect(await runBefore(idempotencyKey({ idempotent: true }), request)).toBeUndefined();
    expect(request.context.http.idempotencyKey).toBe(key);
  });

  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["a space", "two words"],
    ["not ASCII", "clé"],
    ["a control character", "key\t1"],
  ])("%s: 400 INVALID_IDEMPOTENCY_KEY", async (_name, key) => {
    const err = await refusal(idempotencyKey({ idempotent: true }), withKey(key));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("INVALID_IDEMPOTENCY_KEY");
  });

  it("no header: none", async () => {
    const request = withKey(undefined);
    await runBefore(idempotencyKey({ idempotent: true }), request);
    expect(request.context.http).not.toHaveProperty("idempotencyKey");
  });

  it("a route that takes none ignores the header, even an invalid one", async () => {
    const request = withKey("two words");
    expect(await runBefore(idempotencyKey({}), request)).toBeUndefined();
    expect(request.context.http).not.toHaveProperty("idempotencyKey");
  });
});
