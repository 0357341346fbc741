import { afterEach, describe, expect, it, vi } from "vitest";
import { correlation, requestIdOf } from "../../../../shared/http/middlewares/correlation";
import { logger } from "../../../../shared/logger";
import { requestOf, runBefore } from "./request";

const route = { method: "GET", operationId: "getTenant" } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("correlation", () => {
  it("starts the request's state with the API Gateway request ID", async () => {
    const request = requestOf();
    expect(await runBefore(correlation(route), request)).toBeUndefined();
    expect(request.context.http).toEqual({ requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" });
  });

  it("drops whatever an earlier request left on a reused context", async () => {
    const request = requestOf({
      state: { requestId: "earlier", caller: { keyId: "key_old", role: "admin" }, body: { a: 1 } },
    });
    await runBefore(correlation(route), request);
    expect(request.context.http).toEqual({ requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" });
  });

  it("puts the request ID, method and operation on the request's log lines", async () => {
    const appendKeys = vi.spyOn(logger, "appendKeys");
    await runBefore(correlation(route), requestOf());
    expect(logger.getCorrelationId()).toBe("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    expect(appendKeys).toHaveBeenCalledWith({ method: "GET", route: "getTenant" });
  });

  it.each([
    ["API Gateway's", { requestId: "apigw-1" }, "aws-1", "apigw-1"],
    ["the invocation's without one", undefined, "aws-1", "aws-1"],
    ["unknown without either", undefined, undefined, "unknown"],
  ])("the request ID: %s", (_name, requestContext, awsRequestId, expected) => {
    const request = requestOf({ event: { requestContext: requestContext as never } });
    (request.context as { awsRequestId?: string }).awsRequestId = awsRequestId;
    expect(requestIdOf(request)).toBe(expected);
  });
});
