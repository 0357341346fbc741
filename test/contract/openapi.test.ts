import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  CLIENT_OPERATIONS,
  CLIENT_TYPES,
  renderClientOperations,
  renderClientTypes,
  renderOpenApi,
} from "../../tools/build/openapi";
import { ensureVenv, ROOT } from "../../tools/local-aws/local-stack";
import { routes } from "../support/functions";
import { httpEvents } from "../support/serverless-config";

const file = join(ROOT, "docs/openapi.yaml");
/** The document as the function modules' routes generate it now. */
const fresh = () => renderOpenApi(Object.values(routes));

describe("docs/openapi.yaml", () => {
  it("is exactly what the handlers' schemas generate (run `npm run openapi` after changing them)", () => {
    expect(readFileSync(file, "utf8")).toBe(fresh());
  });

  it("gives the client package its types: client/src/api-types.ts is what openapi-typescript generates from it", () => {
    // From the routes as they are now, so that a route change without `npm run openapi` fails here.
    const dir = mkdtempSync(join(tmpdir(), "openapi-"));
    writeFileSync(join(dir, "openapi.yaml"), fresh());
    expect(readFileSync(CLIENT_TYPES, "utf8")).toBe(
      renderClientTypes(join(dir, "openapi.yaml"), join(dir, "api-types.ts")),
    );
  });

  it("gives the client package its operation table: client/src/operations.ts is generated from it", () => {
    expect(readFileSync(CLIENT_OPERATIONS, "utf8")).toBe(renderClientOperations(fresh()));
  });

  it("is a valid OpenAPI 3.1 document", () => {
    ensureVenv();
    const out = spawnSync(join(ROOT, ".venv/bin/python"), ["-m", "openapi_spec_validator", file], {
      encoding: "utf8",
    });
    expect(out.stdout.trim()).toBe(`${file}: OK`);
    expect(out.status).toBe(0);
  });

  it("documents every route serverless.ts deploys, and no other", () => {
    const doc = parse(readFileSync(file, "utf8"));
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(
      httpEvents()
        .map((e) => `${e.method} ${e.path}`)
        .sort(),
    );
  });

  it("lists each route's error codes", () => {
    const doc = parse(readFileSync(file, "utf8"));
    for (const route of Object.values(routes)) {
      const responses = doc.paths[route.path][route.method.toLowerCase()].responses;
      for (const [status, codes] of Object.entries(route.errors)) {
        expect(responses[status]["x-error-codes"], `${route.operationId} ${status}`).toEqual(codes);
      }
    }
  });
});
