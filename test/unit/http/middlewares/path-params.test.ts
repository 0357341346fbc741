import { describe, expect, it } from "vitest";
import { regex, strictObject, string } from "zod/mini";
import { BadRequestError } from "../../../../shared/errors";
import { pathParams } from "../../../../shared/http/middlewares/path-params";
import { refusal, requestOf, runBefore } from "./request";

const params = strictObject({
  tenantId: string().check(regex(/^tnt_[a-z0-9]{4}$/)),
  accountId: string().check(regex(/^\d{12}$/)),
});

describe("pathParams", () => {
  it("puts the validated path parameters on the request's state", async () => {
    const request = requestOf({
      event: { pathParameters: { tenantId: "tnt_abcd", accountId: "012345678901" } },
    });
    expect(await runBefore(pathParams({ params }), request)).toBeUndefined();
    expect(request.context.http.params).toEqual({
      tenantId: "tnt_abcd",
      accountId: "012345678901",
    });
  });

  it.each([
    ["a value out of pattern", { tenantId: "tnt_ABCD", accountId: "012345678901" }, "tenantId"],
    ["a missing parameter", { tenantId: "tnt_abcd" }, "accountId"],
    ["none at all", null, "tenantId"],
  ])("%s: 400 INVALID_PATH_PARAMETER", async (_name, pathParameters, named) => {
    const err = await refusal(pathParams({ params }), requestOf({ event: { pathParameters } }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("INVALID_PATH_PARAMETER");
    expect(err.message).toContain(named);
  });

  it("a route without path parameters leaves them undefined", async () => {
    const request = requestOf({ event: { pathParameters: { tenantId: "anything" } } });
    await runBefore(pathParams({}), request);
    expect(request.context.http.params).toBeUndefined();
  });
});
