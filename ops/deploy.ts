/**
 * `npm run deploy -- <stage> [--region <region>]`: deploys the stack with osls, publishes the
 * tenant template to its bucket, and prints what to do next. Needs AWS credentials with the
 * permissions in infra/deployer-policy.json (docs/operations.md, "Deploying").
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { S3Client } from "@aws-sdk/client-s3";
import { type LambdaRuntimePin, parseDeployArgs, pinnedRuntimeVersionArn } from "./deploy-args";
import { publishTemplate } from "./publish-template";

/** The repository's root (this file is in ops/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function stackOutputs(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  return Object.fromEntries(
    (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
  );
}

async function main() {
  const args = parseDeployArgs(process.argv.slice(2));
  const pin = JSON.parse(
    readFileSync(join(ROOT, "infra/lambda-runtime.json"), "utf8"),
  ) as LambdaRuntimePin;
  // Before anything is built: serverless.ts takes the same ARN from the same file.
  pinnedRuntimeVersionArn(args.region, pin);
  const osls = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "deploy",
      "--stage",
      args.stage,
      "--region",
      args.region,
    ],
    { cwd: ROOT, stdio: "inherit", env: { ...process.env, SLS_TELEMETRY_DISABLED: "1" } },
  );
  if (osls.status !== 0) throw new Error(`osls deploy failed (exit ${osls.status})`);
  const outputs = await stackOutputs(
    new CloudFormationClient({ region: args.region }),
    args.stackName,
  );
  await publishTemplate(new S3Client({ region: args.region }), outputs.TemplateBucketName ?? "");
  console.log(`
Deployed ${args.stackName} in ${args.region}.
  API:            ${outputs.ServiceEndpoint ?? "(see the stack outputs)"}
  Tenant template published to s3://${outputs.TemplateBucketName}/tenant-role.yaml
Next:
  1. The first admin key:  AWS_REGION=${args.region} npx tsx ops/bootstrap-admin.ts ${outputs.ControlPlaneTableName}
  2. Hear the alarms:      aws sns subscribe --region ${args.region} --topic-arn ${outputs.AlarmTopicArn} --protocol email --notification-endpoint <you@example.com>`);
}

if (process.argv[1]?.endsWith("deploy.ts")) {
  main().catch((err) => {
    console.error(`deploy: ${(err as Error).message}`);
    process.exit(1);
  });
}
