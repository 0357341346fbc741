import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  array,
  boolean,
  maxLength,
  optional,
  record,
  strictObject,
  string,
  toJSONSchema,
  unknown,
  enum as zEnum,
} from "zod/mini";
import { BadRequestError } from "../../../shared/errors";
import { EmptyRequest, ListQuery, TenantPath } from "../../../shared/http/schemas/common";
import { illFormedTextAt, validatePart } from "../../../shared/http/validate";
import { routes } from "../../support/functions";

/** What validatePart threw, as { code, message }. */
function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    return { code: (err as BadRequestError).code, message: (err as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("illFormedTextAt: where a string (or key) holds an unpaired UTF-16 surrogate", () => {
  it.each([
    ["ASCII", { name: "Acme" }],
    ["Latin-1 and CJK", { name: "Zürich 株式会社" }],
    ["an emoji (a surrogate pair)", { name: "Acme 😀", tags: ["🚀"] }],
    ["a pair at the very start and end", "\ud83d\ude00x\udbff\udfff"],
    ["no strings at all", { a: 1, b: [true, null, 2.5], c: {} }],
    ["U+FFFD and noncharacters (valid UTF-8)", { name: "\ufffd\ufffe\uffff" }],
  ])("finds nothing in %s", (_label, value) => {
    expect(illFormedTextAt(value)).toBeUndefined();
  });

  it.each([
    ["a lone high surrogate in a value", { name: "x\ud800y" }, ["name"]],
    ["a lone low surrogate in a value", { name: "x\udc00y" }, ["name"]],
    ["a string cut in the middle of an emoji", { name: "Acme \ud83d" }, ["name"]],
    ["a pair in the wrong order", { name: "\ude00\ud83d" }, ["name"]],
    ["a lone surrogate in a key", { "x\ud800": "y" }, ["x\ud800"]],
    [
      "a lone surrogate deep in a policy",
      { policy: { Statement: [{ Resource: ["arn:ok", "arn:\udfff"] }] } },
      ["policy", "Statement", 0, "Resource", 1],
    ],
    ["a bare string", "\ud800", []],
    ["the first of two, in document order", { a: "ok", b: "\ud800", c: "\ud801" }, ["b"]],
  ])("finds %s", (_label, value, path) => {
    expect(illFormedTextAt(value)).toEqual(path);
  });

  it("walks a deeply nested value without exhausting the stack, in linear time", () => {
    let deep: unknown = "x\ud800";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const started = performance.now();
    expect(illFormedTextAt(deep)).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("finds nothing in any JSON value whose strings are well-formed (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        expect(illFormedTextAt(value)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("finds a lone surrogate inserted anywhere in any well-formed string (property)", () => {
    // An odd number of surrogate code units can never all be paired, wherever the new one lands.
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.nat(),
        fc.constantFrom("value", "key"),
        (s, unit, at, where) => {
          const i = at % (s.length + 1);
          const bad = `${s.slice(0, i)}${String.fromCharCode(unit)}${s.slice(i)}`;
          const value = where === "value" ? { field: [bad] } : { [bad]: 1 };
          expect(illFormedTextAt(value)).toEqual(where === "value" ? ["field", 0] : [bad]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("validatePart refuses ill-formed text in every part, with the part's code", () => {
  const Body = strictObject({
    name: string().check(maxLength(8)),
    description: optional(string()),
    policy: optional(record(string(), unknown())),
  });

  it("a body field → INVALID_UNICODE, naming the field, even where a field code exists", () => {
    expect(
      refusal(() => validatePart(Body, { name: "x\ud800y" }, "body", { name: "INVALID_NAME" })),
    ).toEqual({
      code: "INVALID_UNICODE",
      message: "Invalid field name: not well-formed Unicode (an unpaired UTF-16 surrogate)",
    });
  });

  it("a string deep in a free-form object (what no schema checks) → INVALID_UNICODE", () => {
    const body = { name: "a", policy: { Statement: [{ Condition: { k: ["\udc00"] } }] } };
    expect(refusal(() => validatePart(Body, body, "body")).message).toContain(
      "policy.Statement.0.Condition.k.0",
    );
  });

  it("a key with a lone surrogate is named with U+FFFD in its place (the message is well-formed)", () => {
    const { code, message } = refusal(() =>
      validatePart(Body, { name: "a", policy: { "k\ud800": 1 } }, "body"),
    );
    expect(code).toBe("INVALID_UNICODE");
    expect(message).toContain("policy.k\ufffd");
    expect(illFormedTextAt(message)).toBeUndefined();
  });

  it("a query parameter → INVALID_QUERY_PARAMETER", () => {
    expect(refusal(() => validatePart(ListQuery, { nextToken: "ab\ud800" }, "query"))).toEqual({
      code: "INVALID_QUERY_PARAMETER",
      message:
        "Invalid query parameter nextToken: not well-formed Unicode (an unpaired UTF-16 surrogate)",
    });
  });

  it("a path parameter → INVALID_PATH_PARAMETER", () => {
    const Path = strictObject({ name: string() });
    expect(refusal(() => validatePart(Path, { name: "\ud800" }, "path")).code).toBe(
      "INVALID_PATH_PARAMETER",
    );
    expect(refusal(() => validatePart(TenantPath, { tenantId: "tnt_\ud800" }, "path")).code).toBe(
      "INVALID_PATH_PARAMETER",
    );
  });

  it("the schema's own refusal comes first (a body that must be empty never answers INVALID_UNICODE)", () => {
    expect(refusal(() => validatePart(Body, { name: "\ud800".repeat(9) }, "body")).code).toBe(
      "INVALID_FIELD",
    );
    expect(refusal(() => validatePart(EmptyRequest, { "\ud800": "\ud800" }, "body")).code).toBe(
      "UNKNOWN_FIELD",
    );
  });

  it("well-formed text beyond ASCII passes, pairs included", () => {
    const body = { name: "Zü 😀", policy: { Resource: "arn:aws:s3:::b/é" } };
    expect(validatePart(Body, body, "body")).toEqual(body);
  });
});

type JsonSchema = Record<string, unknown>;

/**
 * Whether a JSON schema admits a string anywhere (a value, or an object key beyond a fixed set).
 * Fixed values (enum, const) do not count: they are the API's own, well-formed text.
 */
function admitsText(s: unknown, defs: JsonSchema, seen = new Set<string>()): boolean {
  if (s === true) return true;
  if (!s || typeof s !== "object") return false;
  const o = s as JsonSchema;
  if (typeof o.$ref === "string") {
    const name = o.$ref.replace("#/$defs/", "");
    if (seen.has(name)) return false;
    seen.add(name);
    return admitsText(defs[name], defs, seen);
  }
  for (const k of ["anyOf", "oneOf", "allOf"])
    if (Array.isArray(o[k])) return (o[k] as unknown[]).some((x) => admitsText(x, defs, seen));
  if (o.enum !== undefined || o.const !== undefined) return false;
  if (o.type === undefined) return true;
  const types = [o.type].flat();
  if (types.includes("string")) return true;
  if (types.includes("object")) {
    if (o.additionalProperties !== false) return true; // free keys
    const props = Object.values((o.properties ?? {}) as JsonSchema);
    if (props.some((p) => admitsText(p, defs, seen))) return true;
  }
  if (types.includes("array")) {
    if (admitsText(o.items, defs, seen)) return true;
    if (Array.isArray(o.prefixItems) && o.prefixItems.some((p) => admitsText(p, defs, seen)))
      return true;
  }
  return false;
}

describe("every route declares the codes validatePart can answer for it", () => {
  it.each(Object.values(routes).map((r) => [r.operationId, r] as const))("%s", (_id, route) => {
    const declared = (route.errors as Record<number, readonly string[]>)[400] ?? [];
    if ("params" in route && route.params) expect(declared).toContain("INVALID_PATH_PARAMETER");
    if ("query" in route && route.query) expect(declared).toContain("INVALID_QUERY_PARAMETER");
    if ("body" in route && route.body) {
      const schema = toJSONSchema(route.body, { io: "input", unrepresentable: "any" });
      if (admitsText(schema, (schema.$defs ?? {}) as JsonSchema))
        expect(declared).toContain("INVALID_UNICODE");
    }
  });

  it("the schema walk is not vacuous: it sees text in a policy, and none in a body of booleans", () => {
    const policy = toJSONSchema(strictObject({ policy: record(string(), unknown()) }));
    expect(admitsText(policy, {})).toBe(true);
    const flags = toJSONSchema(
      strictObject({ force: optional(boolean()), role: zEnum(["a", "b"]) }),
    );
    expect(admitsText(flags, {})).toBe(false);
    const names = toJSONSchema(strictObject({ names: array(string()) }));
    expect(admitsText(names, {})).toBe(true);
  });
});
