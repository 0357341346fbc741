import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, stopChild } from "../../scripts/local-stack";

/**
 * What a newcomer does: `npm start` (scripts/start.ts), read the three lines it prints, then use
 * the API over HTTP with the admin key, through serverless-offline, against moto.
 */
let stack: ChildProcess;
const lines: Record<string, string> = {};
let output = "";
const ADMIN = "cpk_e2e-admin-key-chosen-by-the-operator";

beforeAll(async () => {
  const port = await freePort();
  stack = spawn(
    process.execPath,
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/start.ts"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(port),
        LAMBDA_PORT: String(await freePort()),
        ADMIN_API_KEY: ADMIN,
      },
    },
  );
  stack.stderr?.on("data", (d) => {
    output += String(d);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not get ready:\n${output}`)),
      150_000,
    );
    stack.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    stack.stdout?.on("data", (d) => {
      output += String(d);
      for (const line of output.split("\n")) {
        const m = /^(API|AWS endpoint|Admin API key): (.+)$/.exec(line);
        if (m?.[1] && m[2]) lines[m[1]] = m[2].trim();
      }
      if (lines["Admin API key"]) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}, 180_000);

afterAll(async () => {
  if (stack) await stopChild(stack, "SIGINT");
});

function url(path: string) {
  return `${lines.API}${path}`;
}

describe("npm start", () => {
  it("prints the API, the AWS endpoint and the admin key, each on its own line", () => {
    expect(lines.API).toMatch(/^http:\/\/localhost:\d+$/);
    expect(lines["AWS endpoint"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines["Admin API key"]).toBe(ADMIN);
  });

  it("answers /v1/health without a key", async () => {
    const res = await fetch(url("/v1/health"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("creates a tenant with the admin key and reads its external ID back", async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const created = await fetch(url("/v1/tenants"), {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "E2E" }),
    });
    expect(created.status).toBe(201);
    const tenant = (await created.json()) as { tenantId: string; externalId: string };
    const read = await fetch(url(`/v1/tenants/${tenant.tenantId}`), { headers });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { externalId: string }).externalId).toBe(tenant.externalId);
  });

  it("refuses a request without a key with 401 and the error shape", async () => {
    const res = await fetch(url("/v1/tenants"));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "UNAUTHENTICATED", message: expect.any(String) },
      requestId: expect.any(String),
    });
  });

  it("serves the routes without a stage prefix", async () => {
    const res = await fetch(url("/local/v1/health"));
    expect(res.status).toBe(404);
  });
});
