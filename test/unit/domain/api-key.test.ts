import { describe, expect, it } from "vitest";
import { cryptoRandom } from "../../../shared/adapters/system";
import { requireRole, requireTenantAccess } from "../../../shared/domain/access";
import {
  generateApiKeySecret,
  hashApiKey,
  hashesEqual,
  parseBearer,
  SERVICE_NAME_PATTERN,
} from "../../../shared/domain/api-key";
import { ForbiddenError, TenantNotFoundError } from "../../../shared/errors";

describe("API key secrets", () => {
  it("are 256 random bits behind a recognisable prefix", () => {
    const secret = generateApiKeySecret(cryptoRandom);
    expect(secret).toMatch(/^cpk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKeySecret(cryptoRandom)).not.toBe(secret);
  });

  it("are stored as SHA-256 and compared in constant time", () => {
    const h = hashApiKey("cpk_example");
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(h, hashApiKey("cpk_example"))).toBe(true);
    expect(hashesEqual(h, hashApiKey("cpk_other"))).toBe(false);
    expect(hashesEqual(h, "abcd")).toBe(false);
  });

  it.each([
    [undefined, undefined],
    ["", undefined],
    ["Bearer", undefined],
    ["Bearer ", undefined],
    ["bearer cpk_abcdefgh", undefined],
    ["Basic dXNlcjpwYXNz", undefined],
    ["Bearer short", undefined],
    ["Bearer cpk_abcdefgh", "cpk_abcdefgh"],
    ["  Bearer cpk_abcdefgh  ", "cpk_abcdefgh"],
    ["Bearer cpk_with space", undefined],
    [`Bearer ${"x".repeat(513)}`, undefined],
  ])("parseBearer(%j) → %j", (header, expected) => {
    expect(parseBearer(header)).toBe(expected);
  });

  it.each([
    ["billing-exporter", true],
    ["a1", true],
    ["x", false],
    ["aws:lambda", false],
    ["control-plane", false],
    ["control-plane-2", true],
    ["-leading-dash", false],
    ["has space", false],
    ["a".repeat(32), true],
    ["a".repeat(33), false],
    ["svc@team.example", true],
  ])("service name %j valid: %s", (name, valid) => {
    expect(SERVICE_NAME_PATTERN.test(name)).toBe(valid);
  });
});

describe("access rules", () => {
  const admin = { keyId: "k1", role: "admin" as const };
  const tenantA = { keyId: "k2", role: "tenant" as const, tenantId: "tnt_a" };
  const service = { keyId: "k3", role: "service" as const, service: "billing" };

  it.each([
    ["admin", admin, "tnt_a", undefined],
    ["its own tenant", tenantA, "tnt_a", undefined],
    ["another tenant (404, existence hidden)", tenantA, "tnt_b", TenantNotFoundError],
    ["a service key", service, "tnt_a", ForbiddenError],
  ])("tenant access for %s", (_who, caller, tenantId, error) => {
    const run = () => requireTenantAccess(caller, tenantId);
    if (error) expect(run).toThrow(error);
    else expect(run).not.toThrow();
  });

  it("role check admits only the listed roles", () => {
    expect(() => requireRole(admin, ["admin"])).not.toThrow();
    expect(() => requireRole(tenantA, ["admin"])).toThrow(ForbiddenError);
    expect(() => requireRole(service, ["admin", "tenant"])).toThrow(ForbiddenError);
  });
});
