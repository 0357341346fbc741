import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  RateLimitedError,
  refusalError,
  ServiceUnavailableError,
  TenantNotFoundError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from "../../../shared/errors";
import { toHttpResponse } from "../../../shared/http/error-mapper";

describe("toHttpResponse", () => {
  it.each([
    [new BadRequestError("INVALID_FIELD", "bad"), 400, "INVALID_FIELD"],
    [new UnauthenticatedError(), 401, "UNAUTHENTICATED"],
    [new TenantNotFoundError("tnt_x"), 404, "TENANT_NOT_FOUND"],
    // A domain decision's refusal (session-cases.json, lifecycle-cases.json) by its kind.
    [refusalError("invalid", "INVALID_DURATION", "m"), 400, "INVALID_DURATION"],
    [refusalError("forbidden", "NOT_GRANTED", "m"), 403, "NOT_GRANTED"],
    [refusalError("not-found", "ACCOUNT_NOT_FOUND", "m"), 404, "ACCOUNT_NOT_FOUND"],
    [refusalError("conflict", "ACCOUNT_FROZEN", "m"), 409, "ACCOUNT_FROZEN"],
    [new UnsupportedMediaTypeError(), 415, "UNSUPPORTED_MEDIA_TYPE"],
  ])("maps %s to %i %s", (err, status, code) => {
    const { response } = toHttpResponse(err, "req-1");
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({
      error: { code, message: expect.any(String) },
      requestId: "req-1",
    });
    expect(response.headers["content-type"]).toBe("application/json");
  });

  it.each([
    [
      new ServiceUnavailableError("busy", { retryAfterSeconds: 7 }),
      503,
      "SERVICE_UNAVAILABLE",
      "7",
    ],
    [new RateLimitedError("slow down", 42), 429, "RATE_LIMITED", "42"],
  ])("adds Retry-After to %s", (err, status, code, retryAfter) => {
    const { response } = toHttpResponse(err, "r");
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toBe(code);
    expect(response.headers["retry-after"]).toBe(retryAfter);
  });

  it("turns anything unexpected into a 500 that reveals nothing", () => {
    const { response, expected } = toHttpResponse(new Error("secret connection string xyz"), "r");
    expect(expected).toBe(false);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("xyz");
    expect(JSON.parse(response.body).error.code).toBe("INTERNAL_ERROR");
  });
});
