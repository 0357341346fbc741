/**
 * Publishes infra/tenant-role.yaml to the control plane's template bucket, where the onboarding
 * link points: `npx tsx ops/publish-template.ts <bucket>` after `osls deploy` (the bucket is
 * the stack output TemplateBucketName). npm start does the same on the emulator.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

/** The repository's root (this file is in ops/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const TEMPLATE_KEY = "tenant-role.yaml";

export async function publishTemplate(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: TEMPLATE_KEY,
      Body: readFileSync(join(ROOT, "infra/tenant-role.yaml")),
      ContentType: "application/x-yaml",
      CacheControl: "no-cache",
    }),
  );
}

if (process.argv[1]?.endsWith("publish-template.ts")) {
  const bucket = process.argv[2];
  if (!bucket) {
    console.error("usage: npx tsx ops/publish-template.ts <bucket>");
    process.exit(2);
  }
  publishTemplate(new S3Client({}), bucket)
    .then(() => console.log(`published s3://${bucket}/${TEMPLATE_KEY}`))
    .catch((err) => {
      console.error((err as Error).message);
      process.exit(1);
    });
}
