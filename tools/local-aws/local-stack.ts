/**
 * The local stack, as parts: moto in server mode (the local AWS), the control plane's table, the
 * bootstrap admin key, and serverless-offline serving the API. `npm start` (tools/local-aws/start.ts) and
 * the end-to-end tests use these same functions.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { tenantRoleAccess } from "../../infra/iam";
import { DynamoApiKeyStore } from "../../shared/adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "../../shared/adapters/dynamo-audit-store";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { cryptoRandom, systemClock } from "../../shared/adapters/system";
import { createTableInput, TABLE_KEYS } from "../../shared/adapters/table";
import { ACCESS_ROLE_PATH } from "../../shared/domain/access-principal";
import { generateApiKeySecret } from "../../shared/domain/api-key";
import { ApiKeyService } from "../../shared/services/api-key-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { allFunctionsStatements, type LocalRefs, testTierRefs } from "./function-roles";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const SERVICE_NAME = "cross-account-control-plane";
export const LOCAL_STAGE = "local";
export const LOCAL_TABLE = `${SERVICE_NAME}-${LOCAL_STAGE}`;
export const LOCAL_REGION = "us-east-1";
/** moto's default account; the control plane "lives" here locally. */
export const CONTROL_PLANE_ACCOUNT = "123456789012";

/**
 * Static credentials for the emulator: the root user of the control plane's account (any key that
 * is not a session's or a 12-digit account number is that root). They never reach AWS. Setup
 * steps use them; the functions use a session of the access role instead (accessRoleSession).
 */
/** The platform operator's own identity on the emulator (the control plane account's root). */
export const OPERATOR_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

export const LOCAL_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
} as const;

export function ensureVenv(): void {
  execFileSync("bash", [join(ROOT, "tools/build/ensure-venv.sh")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  child?: ChildProcess,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

export interface Moto {
  endpoint: string;
  process: ChildProcess;
  /** With a state file: the start's line about the replay (how many, which were skipped). */
  replay?: string;
  stop(): Promise<void>;
}

/**
 * CP_EMULATOR_IAM=off: the emulator evaluates no policy (tools/local-aws/iam_enforcement.py), for
 * debugging only. The negative probe is then off too: every role would seem to accept a missing
 * external ID.
 */
export function emulatorIamOff(env = process.env): boolean {
  return ["off", "0", "false"].includes((env.CP_EMULATOR_IAM ?? "").toLowerCase());
}

/** Starts moto in server mode on loopback, serving one request at a time. */
/**
 * Starts the emulator. With `stateFile`, every request is recorded there and replayed at the next
 * start, so the emulator's state survives a restart (tools/local-aws/moto-server.py).
 */
export async function startMoto(
  port?: number,
  stateFile?: string,
  /** Gets every line the emulator prints, with one line per request (CP_EMULATOR_LOG=1). */
  log?: (line: string) => void,
): Promise<Moto> {
  ensureVenv();
  const p = port ?? (await freePort());
  // One request at a time (tools/local-aws/moto-server.py says why).
  const child = spawn(
    join(ROOT, ".venv/bin/python"),
    [join(ROOT, "tools/local-aws/moto-server.py"), "127.0.0.1", String(p)],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        ...LOCAL_AWS_ENV,
        ...(stateFile ? { CP_EMULATOR_STATE: stateFile } : {}),
        ...(log ? { CP_EMULATOR_LOG: "1" } : {}),
      },
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    const text = String(d);
    stderr = (stderr + text).slice(-4000);
    if (log) for (const line of text.split("\n")) if (line.trim()) log(line);
  });
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitFor(
      "moto",
      // Answered by moto-server.py itself, unrecorded.
      async () => (await fetch(`${endpoint}/_local/ready`)).ok,
      // A replay of a long recording takes a while.
      stateFile ? 300_000 : 30_000,
      child,
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  // Printed before the server listens; its pipe may be read a moment after.
  const replayLine = () => /^replayed .*$/m.exec(stderr)?.[0];
  for (let i = 0; stateFile && !replayLine() && i < 50; i++)
    await new Promise((r) => setTimeout(r, 20));
  const replay = stateFile ? replayLine() : undefined;
  return { endpoint, process: child, ...(replay ? { replay } : {}), stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      if (child.pid) killTree(child.pid, "SIGKILL");
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) killTree(child.pid, signal);
  });
}

function killTree(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal); // the process group, when the child leads one
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * The control plane's access role on the emulator, for code that does several functions' work in
 * one process (`npm run sweep`, the integration tier): its policy is every function's statements
 * together. `npm start` runs each function as its own role instead (function-roles.ts).
 */
export const LOCAL_ACCESS_ROLE_NAME = "local-functions";
export const LOCAL_ACCESS_ROLE_ARN = `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/control-plane/access/${LOCAL_ACCESS_ROLE_NAME}`;

const PARTITION_VARIABLE = ["$", "{AWS::Partition}"].join("");

/** The statement the functions that assume tenant roles have on AWS (infra/iam.ts: one source). */
function tenantRoleAccessStatement(): Record<string, unknown> {
  const { Effect, Action, Resource } = tenantRoleAccess as typeof tenantRoleAccess & {
    Resource: { "Fn::Sub": string };
  };
  // CloudFormation's pseudo parameter, substituted as Fn::Sub would in the aws partition.
  return { Effect, Action, Resource: Resource["Fn::Sub"].replace(PARTITION_VARIABLE, "aws") };
}

export interface SessionEnv {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_SESSION_TOKEN: string;
}

/**
 * Creates the access role (once), sets its policy, and returns a 12-hour session of it, as
 * environment variables. Its policy is every function's statements together (function-roles.ts):
 * `npm run sweep` and the integration tier run several functions' work in one process (the
 * integration tier signs the handlers' DynamoDB calls with each function's own role instead,
 * test/support/function-iam.ts);
 * `npm start` runs each function as its own role instead.
 */
export async function accessRoleSession(
  endpoint: string,
  refs: LocalRefs = testTierRefs(),
): Promise<SessionEnv> {
  return controlPlaneRoleSession(endpoint, {
    roleName: LOCAL_ACCESS_ROLE_NAME,
    path: ACCESS_ROLE_PATH,
    policy: {
      Version: "2012-10-17",
      Statement: [tenantRoleAccessStatement(), ...(await allFunctionsStatements(refs))],
    },
    sessionName: LOCAL_ACCESS_ROLE_NAME,
  });
}

/** A trust policy that lets the control plane account's root assume the role. */
export const CONTROL_PLANE_ROOT_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:root` },
      Action: "sts:AssumeRole",
    },
  ],
};

/**
 * A role of the control plane's account (created once; its policy set each time) and a 12-hour
 * session of it, as environment variables.
 */
export async function controlPlaneRoleSession(
  endpoint: string,
  role: { roleName: string; path: string; policy: unknown; sessionName: string },
): Promise<SessionEnv> {
  const root = { accessKeyId: "testing", secretAccessKey: "testing" };
  const iam = new IAMClient({ endpoint, region: LOCAL_REGION, credentials: root });
  await iam
    .send(
      new CreateRoleCommand({
        RoleName: role.roleName,
        Path: role.path,
        MaxSessionDuration: 43_200,
        AssumeRolePolicyDocument: JSON.stringify(CONTROL_PLANE_ROOT_TRUST),
      }),
    )
    .catch((err: Error) => {
      if (err.name !== "EntityAlreadyExists" && err.name !== "EntityAlreadyExistsException")
        throw err;
    });
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: role.roleName,
      PolicyName: "role",
      PolicyDocument: JSON.stringify(role.policy),
    }),
  );
  const sts = new STSClient({ endpoint, region: LOCAL_REGION, credentials: root });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role${role.path}${role.roleName}`,
      RoleSessionName: role.sessionName,
      DurationSeconds: 43_200,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`The emulator returned no credentials for ${role.roleName}`);
  return {
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    AWS_SESSION_TOKEN: c.SessionToken,
  };
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

/** Creates the control plane's table (same definition as infra/control-plane/table.yml) unless it exists. */
export async function createTable(endpoint: string, tableName = LOCAL_TABLE): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== "ResourceNotFoundException") throw err;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    }),
  );
}

/**
 * The secret that seals list cursors (CursorKeySecret on AWS), unless it exists: a random key of
 * 64 characters. Returns its ARN (CURSOR_KEY_SECRET_ARN).
 */
export async function createCursorKeySecret(
  endpoint: string,
  name = `${LOCAL_TABLE}-cursor-key`,
): Promise<string> {
  const client = new SecretsManagerClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const existing = await client.send(new DescribeSecretCommand({ SecretId: name }));
    if (existing.ARN) return existing.ARN;
  } catch (err) {
    if ((err as Error).name !== "ResourceNotFoundException") throw err;
  }
  const created = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: randomBytes(48).toString("base64url") }),
  );
  if (!created.ARN) throw new Error("the emulator returned no secret ARN");
  return created.ARN;
}

const ADMIN_KEY_FILE = join(ROOT, ".local/admin-api-key");

/**
 * The bootstrap admin key: ADMIN_API_KEY when set; otherwise the one generated on the first start
 * and kept in .local/ (ignored by git), so it stays the same across restarts of the local stack.
 */
export function localAdminKey(env = process.env): string {
  if (env.ADMIN_API_KEY) return env.ADMIN_API_KEY;
  if (existsSync(ADMIN_KEY_FILE)) return readFileSync(ADMIN_KEY_FILE, "utf8").trim();
  const key = generateApiKeySecret(cryptoRandom);
  mkdirSync(dirname(ADMIN_KEY_FILE), { recursive: true });
  writeFileSync(ADMIN_KEY_FILE, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Stores the admin key's hash (idempotent). */
export async function bootstrapAdminKey(
  endpoint: string,
  secret: string,
  tableName = LOCAL_TABLE,
): Promise<string> {
  const doc = createDocumentClient(dynamoClient(endpoint));
  const service = new ApiKeyService({
    keys: new DynamoApiKeyStore(doc, tableName),
    trail: new AuditTrail({
      audit: new DynamoAuditStore(doc, tableName, 365 * 24 * 3600),
      clock: systemClock,
    }),
    clock: systemClock,
    random: cryptoRandom,
    cacheTtlSeconds: 0,
  });
  const key = await service.importAdminKey(secret);
  return key.keyId;
}

export const LOCAL_TEMPLATE_BUCKET = "cp-templates-local";
export const LOCAL_TEMPLATE_URL = `https://${LOCAL_TEMPLATE_BUCKET}.s3.${LOCAL_REGION}.amazonaws.com/tenant-role.yaml`;

/**
 * The onboarding resources serverless.ts creates in AWS, created on the emulator: the template
 * bucket (with the tenant template published in it) and the registration topic. moto serves the
 * template to CloudFormation in any emulated account from the same URL shape as S3 does.
 */
export async function createOnboardingResources(
  endpoint: string,
): Promise<{ templateUrl: string; topicArn: string }> {
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const s3 = new S3Client({ endpoint, region: LOCAL_REGION, forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: LOCAL_TEMPLATE_BUCKET })).catch((err: Error) => {
    if (err.name !== "BucketAlreadyOwnedByYou") throw err;
  });
  const { publishTemplate } = await import("../../ops/publish-template");
  await publishTemplate(s3, LOCAL_TEMPLATE_BUCKET);
  const sns = new SNSClient({ endpoint, region: LOCAL_REGION, credentials });
  const topic = await sns.send(new CreateTopicCommand({ Name: "cp-registration" }));
  return { templateUrl: LOCAL_TEMPLATE_URL, topicArn: topic.TopicArn as string };
}

export interface Offline {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts serverless-offline (through osls) against the emulator and waits for /v1/health. */
export async function startOffline(opts: {
  awsEndpoint: string;
  /**
   * The credentials the functions run with unless their own are given to serverless-offline
   * (CP_LOCAL_FUNCTION_SESSIONS in `env`: each function's role, as `npm start` does).
   */
  session?: SessionEnv;
  port: number;
  lambdaPort: number;
  env?: Record<string, string>;
  log?: (line: string) => void;
}): Promise<Offline> {
  const child = spawn(
    process.execPath,
    [
      `--import=${join(ROOT, "tools/local-aws/offline-string-body.mjs")}`,
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "offline",
      "start",
      "--stage",
      LOCAL_STAGE,
      // No scheduler locally (docs/usage.md): a sweep firing on the wall clock's five-minute
      // marks made the local stack's behaviour depend on the time of day.
      "--param=schedulesEnabled=false",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...LOCAL_AWS_ENV,
        ...opts.session,
        ...(emulatorIamOff() ? { CP_LOCAL_VERIFY_NEGATIVE_PROBE: "false" } : {}),
        AWS_ENDPOINT_URL: opts.awsEndpoint,
        PORT: String(opts.port),
        LAMBDA_PORT: String(opts.lambdaPort),
        SLS_TELEMETRY_DISABLED: "1",
        SLS_NOTIFICATIONS_MODE: "off",
        ...opts.env,
      },
    },
  );
  let output = "";
  const collect = (d: Buffer) => {
    const text = String(d);
    output = (output + text).slice(-8000);
    if (opts.log) for (const line of text.split("\n")) if (line.trim()) opts.log(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitFor(
      "serverless-offline",
      async () => (await fetch(`${url}/v1/health`)).status === 200,
      120_000,
      child,
    );
  } catch (err) {
    await stopChild(child, "SIGKILL");
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { url, process: child, stop: () => stopChild(child) };
}
