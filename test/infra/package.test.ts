import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { ensureVenv, type Moto, ROOT, startMoto } from "../../scripts/local-stack";
import { SHARDED_LISTS } from "../../shared/adapters/sharded-index";
import * as table from "../../shared/adapters/table";
import { serverlessConfig } from "../support/serverless-config";

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
            "  f = zipfile.ZipFile(os.path.join(d, z)); data = f.read(f.namelist()[0]); text = data.decode()\n" +
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
          "import sys, zipfile; f = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(f.read(f.namelist()[0]).decode())",
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
 * The packaged stack deployed on the local AWS, as osls deploys it: the artifacts first, then the
 * stack. The emulator's Lambda refuses a function whose role lacks what its configuration needs
 * (scripts/iam_enforcement.py, as Lambda does), so a missing permission fails the deploy here.
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
    // (scripts/local-stack.ts, createCursorKeySecret).
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
