import { describe, expect, it } from "vitest";
import { cryptoRandom } from "../../../shared/adapters/system";
import {
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_RANDOM_BYTES,
  generateExternalId,
  isValidExternalId,
} from "../../../shared/domain/external-id";

describe("external IDs", () => {
  it("carry at least 128 bits from the CSPRNG", () => {
    expect(EXTERNAL_ID_RANDOM_BYTES * 8).toBeGreaterThanOrEqual(128);
    const requested: number[] = [];
    const id = generateExternalId({
      bytes: (n) => {
        requested.push(n);
        return Buffer.alloc(n, 0xab);
      },
    });
    expect(requested).toEqual([EXTERNAL_ID_RANDOM_BYTES]);
    expect(id).toBe(`cpx-${Buffer.alloc(EXTERNAL_ID_RANDOM_BYTES, 0xab).toString("base64url")}`);
  });

  it("stay inside the STS ExternalId charset and length on every draw", () => {
    const ids = Array.from({ length: 2000 }, () => generateExternalId(cryptoRandom));
    for (const id of ids) {
      expect(id).toMatch(/^[\w+=,.@:/-]+$/);
      expect(id.length).toBeGreaterThanOrEqual(2);
      expect(id.length).toBeLessThanOrEqual(1224);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ["a", false],
    ["ab", true],
    ["x".repeat(1224), true],
    ["x".repeat(1225), false],
    ["has space", false],
    ["semi;colon", false],
    ["all+=,.@:/-_allowed", true],
    ["ünïcode", false],
  ])("%s is %s as an STS ExternalId", (value, valid) => {
    expect(isValidExternalId(value)).toBe(valid);
    expect(EXTERNAL_ID_PATTERN.test(value)).toBe(valid);
  });
});
