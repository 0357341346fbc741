/**
 * `npm run remove -- <stage> [--region <region>]`: empties the stack's template bucket (every
 * version: a versioned bucket is deleted only when empty) and removes the stack with osls.
 * Retained on purpose: the table of every stage with deletion protection (prod), and with it the
 * audit trails (docs/operations.md, "Teardown").
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  S3Client,
} from "@aws-sdk/client-s3";
import { stackOutputs } from "./deploy";
import { parseDeployArgs } from "./deploy-args";

/** The repository's root (this file is in ops/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Deletes every object version and delete marker of a bucket; the number deleted. */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (objects.length === 0) return deleted;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    deleted += objects.length;
  }
}

async function main() {
  const args = parseDeployArgs(process.argv.slice(2));
  const outputs = await stackOutputs(
    new CloudFormationClient({ region: args.region }),
    args.stackName,
  );
  if (outputs.TemplateBucketName) {
    const n = await emptyBucket(new S3Client({ region: args.region }), outputs.TemplateBucketName);
    console.log(`emptied s3://${outputs.TemplateBucketName} (${n} object versions)`);
  }
  const osls = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "remove",
      "--stage",
      args.stage,
      "--region",
      args.region,
    ],
    { cwd: ROOT, stdio: "inherit", env: { ...process.env, SLS_TELEMETRY_DISABLED: "1" } },
  );
  if (osls.status !== 0) throw new Error(`osls remove failed (exit ${osls.status})`);
}

if (process.argv[1]?.endsWith("remove.ts")) {
  main().catch((err) => {
    console.error(`remove: ${(err as Error).message}`);
    process.exit(1);
  });
}
