import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureVenv, ROOT } from "../../tools/local-aws/local-stack";

/** Every CloudFormation template tenants launch (infra/*.yaml) passes cfn-lint. */
const templates = readdirSync(join(ROOT, "infra")).filter((f) => f.endsWith(".yaml"));

beforeAll(() => ensureVenv());

describe("tenant templates", () => {
  it("there is at least the tenant role template", () => {
    expect(templates).toContain("tenant-role.yaml");
  });

  it.each(templates)("%s passes cfn-lint", (file) => {
    const lint = spawnSync(join(ROOT, ".venv/bin/cfn-lint"), [join(ROOT, "infra", file)], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  it("no parameter the link fills in is NoEcho (the console would ignore it)", () => {
    for (const file of templates)
      expect(readFileSync(join(ROOT, "infra", file), "utf8")).not.toMatch(/NoEcho:\s*true/i);
  });
});
