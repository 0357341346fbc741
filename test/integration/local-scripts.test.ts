import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../tools/local-aws/local-stack";

/** The scripts that need the running local stack say so when it is not running. */
let closed: string;

beforeAll(async () => {
  // A port that was just free: nothing listens on it.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  closed = `http://127.0.0.1:${port}`;
});

const run = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8",
  });

describe("scripts against a stopped local stack", () => {
  it("npm run sweep: names the URL it tried and the command that starts the stack", () => {
    const out = run("tools/local-aws/sweep.ts", [], { AWS_ENDPOINT_URL: closed });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(
      `The local stack is not running: nothing answers at ${closed} (ECONNREFUSED; from AWS_ENDPOINT_URL)`,
    );
    expect(out.stderr).toContain("npm start");
  });

  it("npm run tenant-account: the same, from the stack file npm start wrote", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cp-stack-")), "stack.json");
    writeFileSync(file, JSON.stringify({ api: closed, awsEndpoint: closed }));
    const out = run(
      "tools/local-aws/tenant-account.ts",
      ["--tenant", "tnt_x", "--account", "111122223333"],
      {
        CP_LOCAL_STACK_FILE: file,
      },
    );
    expect(out.status).toBe(1);
    expect(out.stderr.trim()).toBe(
      `The local stack is not answering at ${closed}/v1/health (ECONNREFUSED). Start it in another terminal with: npm start`,
    );
  });

  it("npm run tenant-account: no stack file at all", () => {
    const out = run(
      "tools/local-aws/tenant-account.ts",
      ["--tenant", "tnt_x", "--account", "111122223333"],
      {
        CP_LOCAL_STACK_FILE: join(tmpdir(), "no-such-dir", "stack.json"),
      },
    );
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(
      "The local stack is not running (no .local/stack.json). Start it in another terminal with: npm start",
    );
  });
});
