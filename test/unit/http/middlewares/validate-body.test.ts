import { describe, expect, it } from "vitest";
import { boolean, optional, strictObject, string } from "zod/mini";
import { BadRequestError } from "../../../../shared/errors";
import { validateBody } from "../../../../shared/http/middlewares/validate-body";
import { refusal, requestOf, runBefore } from "./request";

const route = {
  body: strictObject({ name: string(), region: optional(string()), force: optional(boolean()) }),
  forbiddenFields: { externalId: "EXTERNAL_ID_NOT_ACCEPTED" },
  fieldCodes: { region: "INVALID_REGION" },
};

const parsed = (body: unknown) => requestOf({ state: { body } });

describe("validateBody", () => {
  it("replaces the parsed body with the schema's output", async () => {
    const request = parsed({ name: "Acme", force: true });
    expect(await runBefore(validateBody(route), request)).toBeUndefined();
    expect(request.context.http.body).toEqual({ name: "Acme", force: true });
  });

  it.each([
    [
      "a field no client may send, before the schema sees it",
      { externalId: "x" },
      "EXTERNAL_ID_NOT_ACCEPTED",
    ],
    ["an unknown field", { name: "Acme", colour: "red" }, "UNKNOWN_FIELD"],
    ["a missing field", {}, "MISSING_FIELD"],
    ["no body on a route that needs one", undefined, "INVALID_FIELD"],
    ["a field with its own code", { name: "Acme", region: 7 }, "INVALID_REGION"],
    ["any other invalid field", { name: "Acme", force: "yes" }, "INVALID_FIELD"],
    ["a JSON scalar", false, "INVALID_FIELD"],
    ["a string that is not well-formed Unicode", { name: "\ud800" }, "INVALID_UNICODE"],
  ])("%s: 400 %s", async (_name, body, code) => {
    const err = await refusal(validateBody(route), parsed(body));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe(code);
  });

  describe("a route without a body schema", () => {
    it.each([
      ["no body", undefined, undefined],
      ["{}", {}, {}],
    ])("accepts %s", async (_name, body, validated) => {
      const request = parsed(body);
      await runBefore(validateBody({}), request);
      expect(request.context.http.body).toEqual(validated);
    });

    it.each([
      ["a field", { name: "Acme" }, "UNKNOWN_FIELD"],
      ["a JSON scalar", 0, "INVALID_FIELD"],
      ["null", null, "INVALID_FIELD"],
    ])("refuses %s (400 %s)", async (_name, body, code) => {
      expect((await refusal(validateBody({}), parsed(body))).code).toBe(code);
    });
  });
});
