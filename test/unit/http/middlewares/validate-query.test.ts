import { describe, expect, it } from "vitest";
import { _default, coerce, int, maximum, minimum, optional, strictObject, string } from "zod/mini";
import { BadRequestError } from "../../../../shared/errors";
import { validateQuery } from "../../../../shared/http/middlewares/validate-query";
import { refusal, requestOf, runBefore } from "./request";

const query = strictObject({
  limit: _default(coerce.number().check(int(), minimum(1), maximum(100)), 50),
  cursor: optional(string()),
});

describe("validateQuery", () => {
  it.each([
    ["values, coerced", { limit: "10", cursor: "abc" }, { limit: 10, cursor: "abc" }],
    ["no query string: the defaults", null, { limit: 50 }],
  ])("%s", async (_name, queryStringParameters, validated) => {
    const request = requestOf({ event: { queryStringParameters } });
    expect(await runBefore(validateQuery({ query }), request)).toBeUndefined();
    expect(request.context.http.query).toEqual(validated);
  });

  it.each([
    ["a value out of range", { limit: "0" }, "limit"],
    ["an unknown parameter", { sort: "name" }, "sort"],
  ])("%s: 400 INVALID_QUERY_PARAMETER", async (_name, queryStringParameters, named) => {
    const err = await refusal(
      validateQuery({ query }),
      requestOf({ event: { queryStringParameters } }),
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe("INVALID_QUERY_PARAMETER");
    expect(err.message).toContain(named);
  });

  it("a route without a query schema leaves the query undefined", async () => {
    const request = requestOf({ event: { queryStringParameters: { sort: "name" } } });
    await runBefore(validateQuery({}), request);
    expect(request.context.http.query).toBeUndefined();
  });
});
