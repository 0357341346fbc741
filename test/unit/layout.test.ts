import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { areas } from "../../shared/http/routes";
import { serverlessConfig } from "../support/serverless-config";

/**
 * One vocabulary: the same area names in functions/, the routes, the schemas, the ports and the
 * composition roots, and every handler file named after its operation, as its serverless.yml
 * function is.
 */
const ROOT = join(__dirname, "../..");
const names = Object.keys(areas);
const functions = serverlessConfig().functions;

describe("the layout", () => {
  it.each(names)("area %s has its routes, schemas, ports, wiring and functions folder", (area) => {
    for (const path of [
      `shared/http/routes/${area}.ts`,
      `shared/http/schemas/${area}.ts`,
      `shared/ports/${area}.ts`,
      `shared/wiring/${area}.ts`,
      `functions/${area}`,
    ])
      expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  it("has no other function folders, routes modules, ports modules or composition roots", () => {
    const listed = (dir: string) => readdirSync(join(ROOT, dir)).map((f) => f.replace(/\.ts$/, ""));
    expect(listed("functions").sort()).toEqual([...names].sort());
    expect(listed("shared/http/routes").sort()).toEqual([...names].sort());
    expect(listed("shared/ports").sort()).toEqual(["common", ...names].sort());
    expect(listed("shared/wiring").sort()).toEqual(["common", ...names].sort());
  });

  it("serves each operation from functions/<area>/<operationId>.ts, in a function of that name, tagged with its area", () => {
    for (const [area, routes] of Object.entries(areas))
      for (const route of Object.values(routes)) {
        expect(functions[route.operationId]?.handler, route.operationId).toBe(
          `functions/${area}/${route.operationId}.handler`,
        );
        expect(route.tag, route.operationId).toBe(area);
      }
  });

  it("names every handler file after its function, and has no handler file without one", () => {
    const handlers = Object.entries(functions).map(([name, fn]) => {
      const match = /^functions\/([a-zA-Z]+)\/([a-zA-Z]+)\.handler$/.exec(fn.handler);
      expect(match?.[2], fn.handler).toBe(name);
      expect(names, fn.handler).toContain(match?.[1]);
      return `${match?.[1]}/${match?.[2]}.ts`;
    });
    const files = names.flatMap((area) =>
      readdirSync(join(ROOT, "functions", area)).map((f) => `${area}/${f}`),
    );
    expect(files.sort()).toEqual(handlers.sort());
  });
});
