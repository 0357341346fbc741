import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { useFreshTable } from "../support/table";

let table: string;
const run = (env: Record<string, string> = {}) =>
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "ops/bootstrap-admin.ts", table],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...env },
    },
  );

beforeAll(async () => {
  table = await useFreshTable("bootstrap");
});

describe("ops/bootstrap-admin.ts (first admin key of a deployed stage)", () => {
  it("prints a new admin key once, and that key administers the API", async () => {
    const out = run();
    const key = /^Admin API key: (\S+)$/m.exec(out)?.[1];
    expect(key).toMatch(/^cpk_/);
    const res = await api({ method: "GET", path: "/v1/api-keys", key: key as string });
    expect(res.status).toBe(200);
  });

  it("stores a chosen ADMIN_API_KEY idempotently, and refuses a short one", async () => {
    const chosen = "cpk_operator-chosen-admin-key-0123456789";
    const first = run({ ADMIN_API_KEY: chosen });
    const second = run({ ADMIN_API_KEY: chosen });
    expect(first).toBe(second);
    expect((await api({ method: "GET", path: "/v1/tenants", key: chosen })).status).toBe(200);
    expect(() => run({ ADMIN_API_KEY: "short" })).toThrow();
  });
});
