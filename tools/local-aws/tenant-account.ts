/**
 * `npm run tenant-account -- --tenant <tenantId> --account <12 digits> [--region us-east-1]`:
 * plays the tenant's AWS admin on the local stack (`npm start`). It fetches the tenant's onboarding
 * link with the local admin key, then, with that account's credentials on the emulator (its
 * 12-digit account ID as access key), creates the stack the link names with the link's template
 * and parameters exactly. The stack's custom resource reaches the registration function through
 * the registration topic, as on AWS, and the account appears VERIFIED.
 *
 * `--delete` deletes the stack; its custom resource deregisters the account the same way.
 * A stack left by a failed attempt (ROLLBACK_COMPLETE) is deleted before a new one is created.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { ACCOUNT_ID_PATTERN } from "../../shared/domain/arn";
import { LOCAL_REGION, localAdminKey, ROOT } from "./local-stack";

const USAGE =
  "usage: npm run tenant-account -- --tenant <tenantId> --account <12-digit account ID> [--region <region>] [--delete]";

interface LocalStack {
  api: string;
  awsEndpoint: string;
}

/** The running local stack, or an error that says how to start it. */
export async function runningStack(): Promise<LocalStack> {
  const file = process.env.CP_LOCAL_STACK_FILE ?? join(ROOT, ".local/stack.json");
  const hint = "Start it in another terminal with: npm start";
  if (!existsSync(file))
    throw new Error(`The local stack is not running (no .local/stack.json). ${hint}`);
  const stack = JSON.parse(readFileSync(file, "utf8")) as LocalStack;
  try {
    const res = await fetch(`${stack.api}/v1/health`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (err) {
    const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`The local stack is not answering at ${stack.api}/v1/health (${why}). ${hint}`);
  }
  return stack;
}

async function api<T>(
  stack: LocalStack,
  method: string,
  path: string,
): Promise<{ status: number; body: T }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${stack.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${localAdminKey()}` },
    });
    const text = await res.text();
    // The API never answers 504: serverless-offline does, when a function's local run exceeds its
    // timeout. Under load a function's first run has done so with no call reaching the local AWS
    // (docs/testing.md, "Known flakes of the local stack"): one more try, said on stderr.
    if (res.status === 504 && attempt === 1) {
      console.error(`${method} ${path}: serverless-offline timed out (504); trying once more`);
      continue;
    }
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function describe(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    if ((err as Error).message.includes("does not exist")) return undefined;
    throw err;
  }
}

async function waitWhile(
  cfn: CloudFormationClient,
  name: string,
  inProgress: string,
  timeoutMs: number,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const stack = await describe(cfn, name);
    if (stack?.StackStatus !== inProgress || Date.now() > until) return stack;
    await sleep(500);
  }
}

async function failureReason(cfn: CloudFormationClient, name: string): Promise<string> {
  const events = await cfn.send(new DescribeStackEventsCommand({ StackName: name }));
  const failed = (events.StackEvents ?? []).find((e) => e.ResourceStatus?.endsWith("_FAILED"));
  return failed?.ResourceStatusReason ?? "no reason recorded";
}

export async function main(argv: string[]): Promise<number> {
  let values: { tenant?: string; account?: string; region?: string; delete?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        tenant: { type: "string" },
        account: { type: "string" },
        region: { type: "string" },
        delete: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { tenant, account } = values;
  if (!tenant || !account || !ACCOUNT_ID_PATTERN.test(account)) {
    console.error(USAGE);
    return 2;
  }
  const region = values.region ?? LOCAL_REGION;
  const stack = await runningStack();
  // The tenant's admin: on the emulator, an access key that is a 12-digit account ID is that
  // account's root user (tools/local-aws/iam_enforcement.py).
  const cfn = new CloudFormationClient({
    endpoint: stack.awsEndpoint,
    region,
    credentials: { accessKeyId: account, secretAccessKey: "local" },
  });

  const link = await api<{
    stackName: string;
    templateUrl: string;
    parameters: Record<string, string>;
    error?: { code: string; message: string };
  }>(stack, "POST", `/v1/tenants/${encodeURIComponent(tenant)}/onboarding-links?region=${region}`);
  if (link.status !== 201) {
    console.error(
      `POST ${stack.api}/v1/tenants/${tenant}/onboarding-links → ${link.status} ${link.body?.error?.code}: ${link.body?.error?.message}`,
    );
    return 1;
  }
  const name = link.body.stackName;

  if (values.delete) {
    if (!(await describe(cfn, name))) {
      console.error(`No stack ${name} in account ${account} (${region}).`);
      return 1;
    }
    await cfn.send(new DeleteStackCommand({ StackName: name }));
    // The stack waits in DELETE_IN_PROGRESS until the control plane answers its custom resource's
    // Delete (which deregisters the account); then it is gone.
    const left = await waitWhile(cfn, name, "DELETE_IN_PROGRESS", 60_000);
    if (left) {
      console.error(`Stack ${name}: ${left.StackStatus}: ${await failureReason(cfn, name)}`);
      return 1;
    }
    const got = await api(stack, "GET", `/v1/tenants/${tenant}/accounts/${account}`);
    if (got.status !== 404) {
      console.error(`Deleted stack ${name}, but account ${account} is still registered.`);
      return 1;
    }
    console.log(`Deleted stack ${name}; account ${account} is deregistered from ${tenant}.`);
    return 0;
  }

  const existing = await describe(cfn, name);
  if (existing?.StackStatus === "ROLLBACK_COMPLETE") {
    await cfn.send(new DeleteStackCommand({ StackName: name }));
  } else if (existing) {
    console.error(
      `Stack ${name} already exists in account ${account} (${existing.StackStatus}). Delete it first: add --delete.`,
    );
    return 1;
  }
  console.log(
    `Creating stack ${name} in account ${account} (${region}) from ${link.body.templateUrl} ...`,
  );
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateURL: link.body.templateUrl,
      Capabilities: ["CAPABILITY_NAMED_IAM"],
      Parameters: Object.entries(link.body.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  // A refused Create rolls the stack back, which waits for the custom resource's Delete in turn.
  await waitWhile(cfn, name, "CREATE_IN_PROGRESS", 180_000);
  const done = await waitWhile(cfn, name, "ROLLBACK_IN_PROGRESS", 60_000);
  if (done?.StackStatus !== "CREATE_COMPLETE") {
    console.error(`Stack ${name}: ${done?.StackStatus}: ${await failureReason(cfn, name)}`);
    return 1;
  }
  const registered = await api<{ status: string; roleArn: string }>(
    stack,
    "GET",
    `/v1/tenants/${tenant}/accounts/${account}`,
  );
  console.log(
    `Account ${account} registered for ${tenant}: ${registered.body.status}, role ${registered.body.roleArn}`,
  );
  return registered.body.status === "VERIFIED" ? 0 : 1;
}

if (process.argv[1]?.endsWith("tenant-account.ts")) {
  void main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      // Our own errors say what to do; anything else is a bug, with its stack.
      console.error(err instanceof TypeError ? err.stack : err.message);
      process.exitCode = 1;
    },
  );
}
