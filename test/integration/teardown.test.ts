import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { emptyBucket } from "../../ops/remove";
import { OPERATOR_CREDENTIALS } from "../../tools/local-aws/local-stack";

/** `npm run remove` empties the versioned template bucket so that the stack's removal deletes it. */
describe("emptyBucket", () => {
  it("deletes every version and delete marker, after which the bucket can be deleted", async () => {
    // The operator runs `npm run remove` with their own identity, not the functions'.
    const s3 = new S3Client({
      region: "us-east-1",
      forcePathStyle: true,
      credentials: OPERATOR_CREDENTIALS,
    });
    const bucket = `cp-teardown-${process.pid}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    for (const body of ["v1", "v2"])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "tenant-role.yaml", Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "old.yaml", Body: "x" }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "old.yaml" }));
    // Two versions of one key, one of another and its delete marker.
    expect(await emptyBucket(s3, bucket)).toBe(4);
    expect(await emptyBucket(s3, bucket)).toBe(0);
    await expect(s3.send(new DeleteBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  });
});
