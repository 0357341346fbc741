import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureVenv, ROOT } from "../../scripts/local-stack";
import { serverlessConfig } from "../support/serverless-config";

/**
 * `osls package` must work offline, with no AWS credentials at all, and cfn-lint must find no
 * errors in what it produces.
 */
let out: string;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

beforeAll(() => {
  ensureVenv();
  out = mkdtempSync(join(tmpdir(), "cp-package-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  }
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "package",
      "--stage",
      "prod",
      "--package",
      out,
    ],
    { cwd: ROOT, env: { ...env, HOME: out, SLS_TELEMETRY_DISABLED: "1" }, stdio: "pipe" },
  );
  template = JSON.parse(
    readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8"),
  );
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("packaged control plane", () => {
  it("passes cfn-lint with no errors", () => {
    const lint = spawnSync(
      join(ROOT, ".venv/bin/cfn-lint"),
      [join(out, "cloudformation-template-update-stack.json")],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  it("bundles every function separately, one minified file each", () => {
    const zips = readdirSync(out).filter((f) => f.endsWith(".zip"));
    expect(zips.length).toBe(Object.keys(serverlessConfig().functions).length);
    for (const zip of zips) {
      const listing = execFileSync(
        "python3",
        [
          "-c",
          "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
          join(out, zip),
        ],
        { encoding: "utf8" },
      )
        .trim()
        .split("\n");
      expect(listing, zip).toHaveLength(1);
      expect(listing[0], zip).toMatch(/^functions\/.+\.js$/);
    }
  });

  it("protects the production table from deletion", () => {
    const table = template.Resources.ControlPlaneTable;
    expect(table?.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it("gives each function its own IAM role", () => {
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::Lambda::Function",
    );
    const roles = functions.map((f) => JSON.stringify(f.Properties.Role));
    expect(new Set(roles).size).toBe(functions.length);
    for (const f of functions) expect(f.Properties.Runtime).toBe("nodejs22.x");
  });
});
