import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionFiles } from "../../infra/functions";

/**
 * One vocabulary: the same area names in functions/, the schemas, the ports and the composition
 * roots. Each function module is functions/<area>/<name>.ts (its route's operationId and tag are
 * checked against its path where the modules are loaded: infra/functions.ts).
 */
const ROOT = join(__dirname, "../..");
const names = readdirSync(join(ROOT, "functions"));

describe("the layout", () => {
  it("has the five areas", () => {
    expect([...names].sort()).toEqual(
      ["accounts", "brokering", "health", "organizations", "tenants"].sort(),
    );
  });

  it.each(names)("area %s has its schemas, ports, wiring and functions folder", (area) => {
    for (const path of [
      `shared/http/schemas/${area}.ts`,
      `shared/ports/${area}.ts`,
      `shared/wiring/${area}.ts`,
      `functions/${area}`,
    ])
      expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  it("has no other ports modules or composition roots, and no route tables apart from the modules", () => {
    const listed = (dir: string) => readdirSync(join(ROOT, dir)).map((f) => f.replace(/\.ts$/, ""));
    expect(listed("shared/ports").sort()).toEqual(["common", ...names].sort());
    expect(listed("shared/wiring").sort()).toEqual(["common", ...names].sort());
    expect(existsSync(join(ROOT, "shared/http/routes"))).toBe(false);
    expect(existsSync(join(ROOT, "shared/http/routes.ts"))).toBe(false);
  });

  it("holds only function modules in the area folders: 40 files, each functions/<area>/<name>.ts", () => {
    const files = functionFiles(ROOT);
    expect(files).toHaveLength(40);
    for (const file of files) expect(file).toMatch(/^functions\/[a-z]+\/[a-z][A-Za-z]+\.ts$/);
  });
});
