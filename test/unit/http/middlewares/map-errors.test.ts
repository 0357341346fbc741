import { afterEach, describe, expect, it, vi } from "vitest";
import { BadRequestError } from "../../../../shared/errors";
import { mapErrors } from "../../../../shared/http/middlewares/map-errors";
import { logger } from "../../../../shared/logger";
import { requestOf } from "./request";

afterEach(() => {
  vi.restoreAllMocks();
});

async function failed(error: Error) {
  const request = requestOf();
  request.error = error;
  const step = mapErrors({ operationId: "createTenant" });
  await step.onError?.(request);
  const response = request.response;
  if (!response) throw new Error("no response");
  return { response, body: JSON.parse(response.body) };
}

describe("mapErrors", () => {
  it("a refusal: its status and code, the request ID, logged as a refusal", async () => {
    const info = vi.spyOn(logger, "info");
    const error = vi.spyOn(logger, "error");
    const { response, body } = await failed(new BadRequestError("MISSING_FIELD", "Missing name"));
    expect(response.statusCode).toBe(400);
    expect(response.headers["x-request-id"]).toBe("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    expect(body).toMatchObject({
      error: { code: "MISSING_FIELD", message: "Missing name" },
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    });
    expect(info).toHaveBeenCalledWith("request refused", {
      route: "createTenant",
      status: 400,
      code: "MISSING_FIELD",
    });
    expect(error).not.toHaveBeenCalled();
  });

  it("anything else: 500 with a generic body, logged as a failure with the error", async () => {
    const error = vi.spyOn(logger, "error");
    const thrown = new TypeError("Cannot read properties of undefined (reading 'S')");
    const { response, body } = await failed(thrown);
    expect(response.statusCode).toBe(500);
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(response.body).not.toContain("reading 'S'");
    expect(error).toHaveBeenCalledWith("request failed", { route: "createTenant", error: thrown });
  });
});
