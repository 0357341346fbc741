import { describe, expect, it } from "vitest";
import {
  decodeAfterCursor,
  decodeCursor,
  encodeAfterCursor,
  encodeCursor,
} from "../../../shared/adapters/cursor";
import { BadRequestError } from "../../../shared/errors";

const expected = {
  attributes: ["PK", "SK", "GSI1PK", "GSI1SK"],
  fixed: { GSI1PK: "TENANT" },
} as const;
const good = { PK: "TENANT#t", SK: "TENANT", GSI1PK: "TENANT", GSI1SK: "t" };
const b64 = (v: unknown) =>
  Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

describe("pagination cursors", () => {
  it("round-trip a LastEvaluatedKey", () => {
    expect(decodeCursor(encodeCursor(good), expected)).toEqual(good);
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, expected)).toBeUndefined();
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["JSON but not an object", b64([1, 2])],
    ["null", b64("null")],
    ["a missing attribute", b64({ PK: "a", SK: "b", GSI1PK: "TENANT" })],
    ["an extra attribute", b64({ ...good, X: "y" })],
    ["a non-string value", b64({ ...good, PK: { S: "x" } })],
    ["an empty value", b64({ ...good, SK: "" })],
    ["another list's partition", b64({ ...good, GSI1PK: "APIKEY" })],
    ["an oversized value", b64({ ...good, SK: "x".repeat(2000) })],
  ])("reject %s with INVALID_NEXT_TOKEN", (_case, cursor) => {
    expect(() => decodeCursor(cursor, expected)).toThrow(BadRequestError);
    try {
      decodeCursor(cursor, expected);
    } catch (err) {
      expect((err as BadRequestError).code).toBe("INVALID_NEXT_TOKEN");
    }
  });
});

describe("after-cursors (lists whose table keys must not leave the service)", () => {
  it("round-trips the last sort key and nothing else", () => {
    const cursor = encodeAfterCursor("key_01abc");
    expect(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))).toEqual({
      after: "key_01abc",
    });
    expect(decodeAfterCursor(cursor)).toBe("key_01abc");
    expect(decodeAfterCursor(undefined)).toBeUndefined();
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["an array", b64(["key_1"])],
    ["an extra attribute", b64({ after: "key_1", PK: "APIKEY#abc" })],
    ["a number", b64({ after: 7 })],
    ["an empty key", b64({ after: "" })],
    ["an overlong key", b64({ after: "k".repeat(1025) })],
    ["a table key instead", b64({ PK: "APIKEY#abc", SK: "APIKEY" })],
  ])("refuses %s with 400 INVALID_NEXT_TOKEN", (_name, cursor) => {
    expect(() => decodeAfterCursor(cursor)).toThrow(
      expect.objectContaining({ status: 400, code: "INVALID_NEXT_TOKEN" }),
    );
  });
});
