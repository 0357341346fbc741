import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "../../tools/build/build-cli";
import { freePort, LOCAL_REGION, ROOT, stopChild } from "../../tools/local-aws/local-stack";
import { createRole, tenantAdmin, trustPolicy } from "../support/tenant-account";

/**
 * What a newcomer does: `npm start` (tools/local-aws/start.ts), read the three lines it prints,
 * then use the API over HTTP with the admin key, through serverless-offline, against moto.
 */
let stack: ChildProcess;
const lines: Record<string, string> = {};
/**
 * npm start's output goes to a file, not a pipe: the tests that run commands with spawnSync block
 * this process's event loop, and a pipe nobody reads fills (64 KB) and then blocks npm start
 * itself in its next write, so that serverless-offline answered 504 while a command waited for it.
 */
let logFile = "";
const output = () => (logFile && existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
const ADMIN = "cpk_e2e-admin-key-chosen-by-the-operator";
// The emulator's recorded state: this test's own, not the developer's .local/.
const STATE_FILE = join(mkdtempSync(join(tmpdir(), "cp-e2e-state-")), "emulator-state.jsonl");
let ports: { port: number; lambdaPort: number };

/** `npm start` as a newcomer runs it; resolves when it prints the admin key. */
async function launch(): Promise<void> {
  for (const k of Object.keys(lines)) delete lines[k];
  logFile = join(mkdtempSync(join(tmpdir(), "cp-e2e-log-")), "npm-start.log");
  const log = openSync(logFile, "a");
  stack = spawn(
    process.execPath,
    [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/local-aws/start.ts"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        PORT: String(ports.port),
        LAMBDA_PORT: String(ports.lambdaPort),
        ADMIN_API_KEY: ADMIN,
        CP_LOCAL_STATE_FILE: STATE_FILE,
        // serverless-offline's and the functions' output, for a failing test's message.
        VERBOSE: "1",
      },
    },
  );
  closeSync(log);
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const onExit = (code: number | null) =>
      reject(new Error(`npm start exited with ${code}:\n${output()}`));
    stack.on("exit", onExit);
    const poll = setInterval(() => {
      for (const line of output().split("\n")) {
        const m = /^(API|AWS endpoint|Admin API key): (.+)$/.exec(line);
        if (m?.[1] && m[2]) lines[m[1]] = m[2].trim();
      }
      if (lines["Admin API key"]) {
        clearInterval(poll);
        stack.off("exit", onExit);
        resolve();
      } else if (Date.now() - started > 150_000) {
        clearInterval(poll);
        reject(new Error(`npm start did not get ready:\n${output()}`));
      }
    }, 200);
  });
}

beforeAll(async () => {
  ports = { port: await freePort(), lambdaPort: await freePort() };
  await launch();
}, 180_000);

afterAll(async () => {
  if (stack) await stopChild(stack, "SIGINT");
});

// Tests that run commands with spawnSync block the event loop for seconds: fetch's idle keep-alive
// sockets outlive their timeout unnoticed (the timer cannot fire), the stack closes them (after
// 5 s), and the next fetch that reuses one fails with "other side closed" before the stack reads
// the request (2 runs in 4). Here, fetch tries once more on such a socket error: the pool has
// dropped the dead socket by then.
async function fetch(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await globalThis.fetch(input, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    return globalThis.fetch(input, init);
  }
}

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

/**
 * Over HTTP with the admin key: a tenant, its role in `accountId` on the stack's emulator, the
 * account registered, the `read-only` permission set granted to `service`, and the service's key.
 */
async function brokered(name: string, accountId: string, service: string) {
  const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url(path), {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(json)).toBeLessThan(300);
    return json;
  };
  const tenant = await call("POST", "/v1/tenants", { name });
  process.env.AWS_ENDPOINT_URL = lines["AWS endpoint"];
  const roleArn = await createRole(accountId, "Access", trustPolicy(tenant.externalId as string));
  await call("POST", `/v1/tenants/${tenant.tenantId}/accounts`, { accountId, roleArn });
  await call("PUT", "/v1/permission-sets/read-only", {
    policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
    },
  });
  await call("POST", "/v1/grants", {
    service,
    tenantId: tenant.tenantId,
    permissionSets: ["read-only"],
  });
  const serviceKey = (await call("POST", "/v1/api-keys", { role: "service", service }))
    .apiKey as string;
  return { tenant, accountId, serviceKey };
}

describe("the broker flow over HTTP, through the project's CLI and the AWS CLI", () => {
  it("a credential_process profile gives the AWS CLI a session in the tenant account", async () => {
    const { tenant, accountId, serviceKey } = await brokered("CLI", "901234567890", "cli-tests");

    const dir = mkdtempSync(join(tmpdir(), "cp-cli-"));
    const cli = await buildCli(join(dir, "cpctl.js"));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      CONTROL_PLANE_URL: lines.API as string,
      CONTROL_PLANE_API_KEY: serviceKey,
    };

    // The CLI alone prints the credential_process document.
    const direct = spawnSync(
      process.execPath,
      [cli, "credentials", "--tenant", tenant.tenantId as string, "--account", accountId],
      {
        env,
        encoding: "utf8",
      },
    );
    expect(direct.status, direct.stderr).toBe(0);
    const doc = JSON.parse(direct.stdout);
    expect(Object.keys(doc)).toEqual([
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Expiration",
    ]);
    expect(doc.Version).toBe(1);

    // The AWS CLI uses it through a profile.
    const config = join(dir, "config");
    writeFileSync(
      config,
      `[profile tenant]\ncredential_process = ${process.execPath} ${cli} credentials --tenant ${tenant.tenantId} --account ${accountId} --permission-set read-only\nregion = us-east-1\n`,
    );
    const aws = spawnSync(
      join(ROOT, ".venv/bin/aws"),
      ["sts", "get-caller-identity", "--profile", "tenant", "--output", "json"],
      {
        env: {
          ...env,
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
          AWS_ENDPOINT_URL: lines["AWS endpoint"] as string,
        },
        encoding: "utf8",
      },
    );
    expect(aws.status, aws.stderr).toBe(0);
    const identity = JSON.parse(aws.stdout);
    expect(identity.Account).toBe(accountId);
    expect(identity.Arn).toMatch(
      new RegExp(`^arn:aws:sts::${accountId}:assumed-role/Access/cli-tests-`),
    );
  });

  it("the CLI fails with the API's code and no output on stdout", () => {
    const out = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/tsx/dist/cli.mjs"),
        "client/src/bin.ts",
        "credentials",
        "--tenant",
        "tnt_01m842avwd7nqry6k9nnr1wgjf",
        "--account",
        "123456789012",
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          CONTROL_PLANE_URL: lines.API as string,
          CONTROL_PLANE_API_KEY: "cpk_not-a-real-key-at-all",
        },
        encoding: "utf8",
      },
    );
    expect(out.status).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("401 UNAUTHENTICATED");
  });
});

describe("the client package, packed and installed in an empty project", () => {
  it("npm pack → npm install: the provider, the client and cpctl (through an AWS CLI profile) work", async () => {
    const { tenant, accountId, serviceKey } = await brokered(
      "Packed",
      "901234567891",
      "pack-tests",
    );

    // Build and pack the package as it would be published.
    const work = mkdtempSync(join(tmpdir(), "cp-pack-"));
    const run = (
      cmd: string,
      args: string[],
      cwd: string,
      env: NodeJS.ProcessEnv = process.env,
    ) => {
      const out = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
      expect(out.status, `${cmd} ${args.join(" ")}\n${out.stdout}\n${out.stderr}`).toBe(0);
      return out.stdout;
    };
    run("npm", ["run", "build"], join(ROOT, "client"));
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", work], join(ROOT, "client")),
    ) as { filename: string; files: { path: string }[] }[];
    const files = (packed[0]?.files ?? []).map((f) => f.path).sort();
    expect(files).toEqual([
      "README.md",
      "dist/cpctl.cjs",
      "dist/index.cjs",
      "dist/index.d.cts",
      "dist/index.d.ts",
      "dist/index.js",
      "package.json",
    ]);
    // An empty project installs the tarball: no registry, no dependency.
    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true }),
    );
    run(
      "npm",
      [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        join(work, packed[0]?.filename as string),
      ],
      project,
    );
    for (const file of ["index.js", "index.cjs", "cpctl.cjs"]) {
      const code = readFileSync(
        join(project, "node_modules/@cross-account-control-plane/client/dist", file),
        "utf8",
      );
      expect(code, file).not.toMatch(/zod|@aws-sdk|shared\/http|middy/);
    }
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: work,
      CONTROL_PLANE_URL: lines.API as string,
      CONTROL_PLANE_API_KEY: serviceKey,
      TENANT: tenant.tenantId as string,
      ACCOUNT: accountId,
      AWS_ENDPOINT_URL: lines["AWS endpoint"] as string,
      STS_PATH: join(ROOT, "node_modules/@aws-sdk/client-sts/dist-cjs/index.js"),
    };
    // ESM: the provider gives a real STS client a session in the tenant account.
    writeFileSync(
      join(project, "esm.mjs"),
      `import { fromControlPlane, ControlPlaneClient } from "@cross-account-control-plane/client";
import { createRequire } from "node:module";
const { STSClient, GetCallerIdentityCommand } = createRequire(import.meta.url)(process.env.STS_PATH);
const credentials = fromControlPlane({ baseUrl: process.env.CONTROL_PLANE_URL, apiKey: process.env.CONTROL_PLANE_API_KEY, tenantId: process.env.TENANT, accountId: process.env.ACCOUNT, permissionSet: "read-only" });
const sts = new STSClient({ region: "us-east-1", endpoint: process.env.AWS_ENDPOINT_URL, credentials });
const me = await new ControlPlaneClient({ baseUrl: process.env.CONTROL_PLANE_URL, apiKey: process.env.CONTROL_PLANE_API_KEY }).call("whoami");
console.log(JSON.stringify({ identity: await sts.send(new GetCallerIdentityCommand({})), me }));
`,
    );
    const esm = JSON.parse(run(process.execPath, ["esm.mjs"], project, env));
    expect(esm.identity.Account).toBe(accountId);
    expect(esm.identity.Arn).toMatch(/assumed-role\/Access\/pack-tests-/);
    expect(esm.me.grants[0].accounts[0].accountId).toBe(accountId);
    // CommonJS: the same exports.
    expect(
      run(
        process.execPath,
        [
          "-e",
          "const c = require('@cross-account-control-plane/client'); console.log(typeof c.fromControlPlane, typeof c.ControlPlaneClient, typeof c.ControlPlaneError)",
        ],
        project,
        env,
      ).trim(),
    ).toBe("function function function");
    // cpctl, the package's bin: profiles written by it, used by the AWS CLI.
    const keyFile = join(work, "service.key");
    writeFileSync(keyFile, serviceKey, { mode: 0o600 });
    const cpctl = join(project, "node_modules/.bin/cpctl");
    const config = join(work, "aws-config");
    writeFileSync(
      config,
      run(cpctl, ["profiles", "--service-key-file", keyFile, "--command", cpctl], project, env),
    );
    const profile = `${tenant.tenantId}-${accountId}-read-only`;
    expect(readFileSync(config, "utf8")).toContain(`[profile ${profile}]`);
    const awsEnv = {
      PATH: env.PATH,
      HOME: work,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(work, "none"),
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
      AWS_DEFAULT_REGION: "us-east-1",
    };
    const aws = join(ROOT, ".venv/bin/aws");
    const identity = JSON.parse(
      run(
        aws,
        ["sts", "get-caller-identity", "--profile", profile, "--output", "json"],
        work,
        awsEnv,
      ),
    );
    expect(identity.Account).toBe(accountId);
    // The second use comes from cpctl's cache: the same session.
    const again = JSON.parse(
      run(
        aws,
        ["sts", "get-caller-identity", "--profile", profile, "--output", "json"],
        work,
        awsEnv,
      ),
    );
    expect(again.Arn).toBe(identity.Arn);
    expect(readdirSync(join(work, ".cache/cpctl"))).toHaveLength(1);
  });
});

describe("npm run tenant-account: the tenant's admin on the local stack", () => {
  const tenantAccount = (args: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/local-aws/tenant-account.ts", ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          ADMIN_API_KEY: ADMIN,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
        encoding: "utf8",
      },
    );
  const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
  // serverless-offline closes idle keep-alive connections; a request on one that just closed
  // fails before it is sent, and is sent again.
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    try {
      return await globalThis.fetch(input, init);
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
      return globalThis.fetch(input, init);
    }
  };
  const account = async (tenantId: string, accountId: string) => {
    const res = await fetch(url(`/v1/tenants/${tenantId}/accounts/${accountId}`), { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("deploys the link's stack with its parameters; the custom resource registers the account; --delete deregisters it", async () => {
    const tenant = (await (
      await fetch(url("/v1/tenants"), {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Linked" }),
      })
    ).json()) as { tenantId: string };
    for (let round = 1; round <= 2; round++) {
      const created = tenantAccount(["--tenant", tenant.tenantId, "--account", "912345678901"]);
      expect(created.status, `${created.stderr}\n--- npm start:\n${output().slice(-6000)}`).toBe(0);
      expect(created.stdout).toContain(
        `Account 912345678901 registered for ${tenant.tenantId}: VERIFIED`,
      );
      const registered = await account(tenant.tenantId, "912345678901");
      expect(registered.body).toMatchObject({
        status: "VERIFIED",
        roleArn: "arn:aws:iam::912345678901:role/CrossAccountControlPlaneAccess",
        source: { kind: "cloudformation" },
      });
      // Deleting the stack deregisters the account; the next round shows nothing was left behind.
      const deleted = tenantAccount([
        "--tenant",
        tenant.tenantId,
        "--account",
        "912345678901",
        "--delete",
      ]);
      expect(deleted.status, `${deleted.stderr}\n--- npm start:\n${output().slice(-8000)}`).toBe(0);
      expect((await account(tenant.tenantId, "912345678901")).status).toBe(404);
    }
  });

  it("a stack the registration refuses: FAILED with the reason, rolled back, and a retry is not blocked", async () => {
    const tenant = (await (
      await fetch(url("/v1/tenants"), {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Refused" }),
      })
    ).json()) as { tenantId: string; externalId: string };
    // The account is registered through the API first: a stack may not take it over.
    process.env.AWS_ENDPOINT_URL = lines["AWS endpoint"];
    const roleArn = await createRole("912345678902", "Access", trustPolicy(tenant.externalId));
    const direct = await fetch(url(`/v1/tenants/${tenant.tenantId}/accounts`), {
      method: "POST",
      headers,
      body: JSON.stringify({ accountId: "912345678902", roleArn }),
    });
    expect(direct.status).toBe(201);
    const refused = tenantAccount(["--tenant", tenant.tenantId, "--account", "912345678902"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/ROLLBACK_COMPLETE: .*ACCOUNT_ALREADY_REGISTERED/);
    // Once the API registration is gone, the same command succeeds.
    const removed = await fetch(url(`/v1/tenants/${tenant.tenantId}/accounts/912345678902`), {
      method: "DELETE",
      headers,
    });
    expect(removed.status).toBe(204);
    const retried = tenantAccount(["--tenant", tenant.tenantId, "--account", "912345678902"]);
    expect(retried.status, retried.stderr).toBe(0);
    expect((await account(tenant.tenantId, "912345678902")).body.status).toBe("VERIFIED");
  });
});

describe("npm run sweep", () => {
  it("checks the stack's accounts once and reports the counts", () => {
    const out = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/local-aws/sweep.ts"],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          AWS_ENDPOINT_URL: lines["AWS endpoint"] as string,
        },
        encoding: "utf8",
      },
    );
    expect(out.status, out.stderr).toBe(0);
    // No organization is connected; the tests above registered three accounts that still are
    // (the broker's, the package's and the tenant-account command's), with their roles in place:
    // each is checked, and found healthy. (The local stack runs no schedules; an account that an
    // earlier step checked explicitly would already be HEALTHY, so the count of changes is a range.)
    expect(out.stdout).toMatch(
      /^Organizations: 0 synced, 0 failed, 0 accounts registered or detached$/m,
    );
    expect(out.stdout, out.stdout).toMatch(
      /^Sweep: 3 accounts checked, [0-3] changed state, 0 skipped, in \d+ ms$/m,
    );
    const metrics = out.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { state?: string; HealthChecks?: number });
    expect(metrics.filter((m) => m.HealthChecks !== undefined)).toEqual([
      expect.objectContaining({ state: "HEALTHY", HealthChecks: 3 }),
    ]);
  });
});

describe("the README's walkthrough", () => {
  it("runs as written, from a tenant to aws s3 ls with a brokered session, and the session is refused what its permission set does not allow", () => {
    // Its shell blocks, in order, against this stack: only the API's URL and the admin key differ.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## A walkthrough"),
      readme.indexOf("\n## ", readme.indexOf("## A walkthrough") + 3),
    );
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const script = ["set -euo pipefail", ...blocks]
      .join("\n")
      .replaceAll("http://localhost:3000", lines.API as string)
      .replaceAll("$(cat .local/admin-api-key)", ADMIN);
    const out = spawnSync("bash", ["-c", script], {
      cwd: ROOT,
      env: {
        ...process.env,
        ADMIN_API_KEY: ADMIN,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      encoding: "utf8",
    });
    expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
    expect(out.stdout).toMatch(/Account 111122223333 registered for tnt_\w+: VERIFIED/);
    expect(out.stdout).toMatch(
      /arn:aws:sts::111122223333:assumed-role\/CrossAccountControlPlaneAccess\/reports-/,
    );
    expect(out.stdout).toMatch(/^\S+ \S+ acme-reports$/m);
    // The permission set binds: the role may read IAM, the session may not.
    expect(out.stdout).toContain("refused: read-s3 allows no IAM action");
    expect(out.stderr).toMatch(
      /\(AccessDenied\).*because no session policy allows the iam:ListRoles action/,
    );
    expect(out.stdout).toContain('"action":"SESSION"');
  });
});

describe("npm start again: the data survives a restart", () => {
  // A stop and a start of the whole stack: about 20 s alone, more under load (its own timeout).
  it("the tenant, its key, its account and a service's session all work after a restart", async () => {
    const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const call = async (
      key: Record<string, string>,
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const res = await fetch(url(path), {
        method,
        headers: key,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const tenant = (await call(admin, "POST", "/v1/tenants", { name: "Kept" })).body;
    const tenantKey = {
      authorization: `Bearer ${(await call(admin, "POST", "/v1/api-keys", { role: "tenant", tenantId: tenant.tenantId })).body.apiKey}`,
    };
    const accountId = "912345678903";
    const onboarded = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/tsx/dist/cli.mjs"),
        "tools/local-aws/tenant-account.ts",
        "--tenant",
        tenant.tenantId as string,
        "--account",
        accountId,
      ],
      { cwd: ROOT, env: { ...process.env, ADMIN_API_KEY: ADMIN }, encoding: "utf8" },
    );
    expect(onboarded.status, onboarded.stderr).toBe(0);
    await call(admin, "PUT", "/v1/permission-sets/kept-read", {
      policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
      },
    });
    await call(admin, "POST", "/v1/grants", {
      service: "kept",
      tenantId: tenant.tenantId,
      permissionSets: ["kept-read"],
    });
    const serviceKey = {
      authorization: `Bearer ${(await call(admin, "POST", "/v1/api-keys", { role: "service", service: "kept" })).body.apiKey}`,
      "content-type": "application/json",
    };

    await stopChild(stack, "SIGINT");
    await launch();
    expect(output()).toContain("Restoring the local AWS from");

    expect((await call(tenantKey, "GET", `/v1/tenants/${tenant.tenantId}`)).body.externalId).toBe(
      tenant.externalId,
    );
    // The account's role in its account is still there: verification assumes it again.
    const verified = await call(
      tenantKey,
      "POST",
      `/v1/tenants/${tenant.tenantId}/accounts/${accountId}/verify`,
    );
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.status).toBe("VERIFIED");
    const session = await call(serviceKey, "POST", "/v1/sessions", {
      tenantId: tenant.tenantId,
      accountId,
      permissionSet: "kept-read",
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    expect(session.body.assumedRoleArn).toMatch(
      new RegExp(`^arn:aws:sts::${accountId}:assumed-role/CrossAccountControlPlaneAccess/kept-`),
    );
  }, 180_000);
});

describe("an organization connected through npm start", () => {
  it("connect answers 202, and the job function runs (through the local Lambda relay) to its end", async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const tenant = (await (
      await fetch(url("/v1/tenants"), {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Organization" }),
      })
    ).json()) as { tenantId: string; externalId: string };
    process.env.AWS_ENDPOINT_URL = lines["AWS endpoint"];
    const management = "913000000001";
    const credentials = await tenantAdmin(management);
    const org = new OrganizationsClient({
      endpoint: lines["AWS endpoint"],
      region: LOCAL_REGION,
      credentials,
    });
    await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    // One member, whose member role was never deployed: its registration is refused.
    await org.send(new CreateAccountCommand({ AccountName: "m", Email: "m@example.com" }));
    const roleArn = await createRole(management, "OrgReader", trustPolicy(tenant.externalId));
    await new IAMClient({
      endpoint: lines["AWS endpoint"],
      region: LOCAL_REGION,
      credentials,
    }).send(
      new PutRolePolicyCommand({
        RoleName: "OrgReader",
        PolicyName: "ReadOrganization",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["organizations:List*", "organizations:Describe*"],
              Resource: "*",
            },
          ],
        }),
      }),
    );
    const path = `/v1/tenants/${tenant.tenantId}/organizations`;
    const connected = await fetch(url(path), {
      method: "POST",
      headers,
      body: JSON.stringify({
        managementAccountId: management,
        managementRoleArn: roleArn,
        memberRoleName: "Access",
      }),
    });
    const body = (await connected.json()) as { job: { jobId: string; status: string } };
    expect(connected.status, JSON.stringify(body)).toBe(202);
    expect(body.job.status).toBe("RUNNING");
    // The job runs in serverless-offline, invoked through the relay: poll as a client would.
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 120; i++) {
      const read = (await (await fetch(url(path), { headers })).json()) as {
        job: Record<string, unknown>;
      };
      job = read.job;
      if (job.status !== "RUNNING") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(job, output().slice(-4000)).toMatchObject({
      jobId: body.job.jobId,
      status: "SUCCEEDED",
      phase: "DONE",
      invocations: 1,
      progress: { listed: 2, members: 1, registered: 0, failed: 1, skipped: 1 },
    });
  }, 120_000);
});
