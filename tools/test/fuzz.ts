/**
 * `npm run fuzz`: contract fuzzing with schemathesis against the locally running API.
 *
 * Starts the stack `npm start` starts (serverless-offline on moto), creates a tenant, a tenant
 * key, a service key with a grant, and runs schemathesis from docs/openapi.yaml once per key
 * (admin, tenant, service). It fails on any 5xx and on any response the document does not
 * describe (status, content type, body schema). Bounded in time (FUZZ_MAX_SECONDS per key) and
 * reproducible (FUZZ_SEED). The last line is the total of generated cases. Request bodies also
 * carry unpaired UTF-16 surrogates, which hypothesis never generates (tools/test/fuzz_checks.py).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, stopChild } from "../local-aws/local-stack";

const SEED = process.env.FUZZ_SEED ?? "20261123";
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? "12";
const MAX_SECONDS = process.env.FUZZ_MAX_SECONDS ?? "150";
// The content-type and body checks are schemathesis's own, except that the local gateway's bare
// 400s for malformed request lines are counted apart (tools/test/fuzz_checks.py says why).
const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "api_content_type_conformance",
  "api_response_schema_conformance",
].join(",");
const GATEWAY_LOG = join(ROOT, ".test-results/fuzz-gateway-rejections.jsonl");

async function startStack(adminKey: string): Promise<{ stack: ChildProcess; api: string }> {
  const stack = spawn(
    process.execPath,
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/local-aws/start.ts"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(await freePort()),
        LAMBDA_PORT: String(await freePort()),
        ADMIN_API_KEY: adminKey,
        // The rate limits would refuse most of the fuzzer's volume (429, declared) and test less.
        CP_LOCAL_SESSIONS_PER_MINUTE: "1000000",
        CP_LOCAL_TENANT_WRITES_PER_MINUTE: "1000000",
        // API Gateway would answer an overlong URL itself (414); let such requests reach the
        // functions locally instead of Node's own bare 400, so that they are tested too.
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-http-header-size=1048576`.trim(),
      },
    },
  );
  // The stack's own output, for a failure's post-mortem (the functions' logs are there).
  mkdirSync(join(ROOT, ".local"), { recursive: true });
  const log = join(ROOT, ".local/fuzz-stack.log");
  writeFileSync(log, "");
  let output = "";
  stack.stderr?.on("data", (d) => {
    output += String(d);
    appendFileSync(log, String(d));
  });
  stack.stdout?.on("data", (d) => appendFileSync(log, String(d)));
  const api = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stack did not start:\n${output}`)),
      180_000,
    );
    stack.on("exit", (code) => reject(new Error(`the stack exited with ${code}:\n${output}`)));
    stack.stdout?.on("data", (d) => {
      output += String(d);
      const url = /^API: (\S+)$/m.exec(output)?.[1];
      if (url && /^Admin API key: /m.test(output)) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
  return { stack, api };
}

async function call(api: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, string>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function secretOf(created: Record<string, string>): string {
  const secret = created.apiKey;
  if (typeof secret !== "string" || secret === "") throw new Error("POST /v1/api-keys: no apiKey");
  return secret;
}

/** One schemathesis run with one key; returns the number of generated cases. */
function fuzz(api: string, who: string, key: string): { cases: number; ok: boolean } {
  const run = spawnSync(
    join(ROOT, ".venv/bin/schemathesis"),
    [
      "run",
      join(ROOT, "docs/openapi.yaml"),
      "--url",
      api,
      "--header",
      `Authorization: Bearer ${key}`,
      "--checks",
      CHECKS,
      "--phases",
      "examples,coverage,fuzzing",
      "--max-examples",
      MAX_EXAMPLES,
      "--max-time",
      MAX_SECONDS,
      "--seed",
      SEED,
      // One worker: with several, hypothesis parses sources on threads, and CPython 3.11's
      // parser is not safe for that ("AST constructor recursion depth mismatch").
      "--workers",
      "1",
      "--suppress-health-check",
      "all",
      "--no-color",
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: "fuzz_checks",
        PYTHONPATH: join(ROOT, "tools/test"),
        CP_FUZZ_GATEWAY_LOG: GATEWAY_LOG,
      },
    },
  );
  const out = `${run.stdout}${run.stderr}`;
  const cases = Number(/(\d+) generated/.exec(out)?.[1] ?? 0);
  const ok = run.status === 0;
  if (!ok) {
    // The failures and how to reproduce them (keys are filtered out by schemathesis).
    const start = out.indexOf("FAILURES");
    console.log(out.slice(start >= 0 ? start : 0, (start >= 0 ? start : 0) + 20_000));
  }
  const rejected = existsSync(GATEWAY_LOG)
    ? readFileSync(GATEWAY_LOG, "utf8").split("\n").filter(Boolean).length
    : 0;
  rmSync(GATEWAY_LOG, { force: true });
  console.log(`fuzz as ${who}: ${cases} cases, ${ok ? "no failures" : "FAILED"}`);
  if (rejected > 0)
    console.log(
      `  and ${rejected} malformed requests the local gateway refused before any handler (its own 400, not the API's answer)`,
    );
  return { cases, ok };
}

async function main() {
  mkdirSync(join(ROOT, ".test-results"), { recursive: true });
  const adminKey = `cpk_${randomBytes(32).toString("base64url")}`;
  const { stack, api } = await startStack(adminKey);
  try {
    const tenant = await call(api, adminKey, "POST", "/v1/tenants", { name: "Fuzzed" });
    const tenantId = tenant.tenantId as string;
    // The secret is the answer's apiKey (CreatedApiKey); without it every request of a run would
    // carry "Bearer undefined" and test nothing past authentication.
    const tenantKey = secretOf(
      await call(api, adminKey, "POST", "/v1/api-keys", { role: "tenant", tenantId }),
    );
    const serviceKey = secretOf(
      await call(api, adminKey, "POST", "/v1/api-keys", { role: "service", service: "fuzzer" }),
    );
    await call(api, adminKey, "PUT", "/v1/permission-sets/fuzz-read", {
      policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
      },
    });
    await call(api, adminKey, "POST", "/v1/grants", {
      service: "fuzzer",
      tenantId,
      permissionSets: ["fuzz-read"],
    });
    const runs = [
      fuzz(api, "admin", adminKey),
      fuzz(api, "tenant", tenantKey),
      fuzz(api, "service", serviceKey),
    ];
    const total = runs.reduce((n, r) => n + r.cases, 0);
    const failed = runs.filter((r) => !r.ok).length;
    console.log(`Fuzz: ${total} cases generated, ${failed} runs with failures (seed ${SEED})`);
    // For the totals line of .ci/run: each run (one per key) is one check.
    mkdirSync(join(ROOT, ".test-results"), { recursive: true });
    writeFileSync(
      join(ROOT, ".test-results/fuzz.json"),
      JSON.stringify({ passed: runs.length - failed, failed, cases: total }),
    );
    process.exitCode = failed > 0 ? 1 : 0;
  } finally {
    await stopChild(stack, "SIGINT");
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
