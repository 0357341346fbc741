import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ControlPlaneError, fromControlPlane } from "../../client/src/index";
import { LOCAL_REGION } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { serveApi } from "../support/http-bridge";
import { seedKey, useFreshTable } from "../support/table";
import { createRole, tenantAdmin, trustPolicy } from "../support/tenant-account";

/**
 * The client package's credential provider with real AWS SDK clients: sessions from the broker
 * over HTTP, into a tenant account on the emulator.
 */
let bridge: Awaited<ReturnType<typeof serveApi>>;
let serviceKey: string;
let tenantId: string;
const accountId = "610000000001";

beforeAll(async () => {
  const table = await useFreshTable("credential-provider");
  const admin = (await seedKey(table, { role: "admin" })).secret;
  const tenant = await api({
    method: "POST",
    path: "/v1/tenants",
    key: admin,
    body: { name: "SDK" },
  });
  tenantId = tenant.body.tenantId;
  const roleArn = await createRole(accountId, "Access", trustPolicy(tenant.body.externalId));
  expect(
    (
      await api({
        method: "POST",
        path: `/v1/tenants/${tenantId}/accounts`,
        key: admin,
        body: { accountId, roleArn },
      })
    ).status,
  ).toBe(201);
  serviceKey = await grantedService(admin, tenantId, "sdk-users", "sdk-read", [
    "s3:ListAllMyBuckets",
    "s3:Get*",
  ]);
  await new S3Client({
    region: LOCAL_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
    forcePathStyle: true,
    credentials: await tenantAdmin(accountId),
  }).send(new CreateBucketCommand({ Bucket: "tenant-reports" }));
  bridge = await serveApi();
});

afterAll(async () => {
  await bridge?.close();
});

const options = () => ({
  baseUrl: bridge.url,
  apiKey: serviceKey,
  tenantId,
  accountId,
  permissionSet: "sdk-read",
  durationSeconds: 900,
});

describe("fromControlPlane with AWS SDK v3 clients", () => {
  it("STS and S3 clients work in the tenant account with it, as the service", async () => {
    const credentials = fromControlPlane(options());
    const sts = new STSClient({
      region: LOCAL_REGION,
      endpoint: process.env.AWS_ENDPOINT_URL,
      credentials,
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(accountId);
    expect(identity.Arn).toMatch(
      new RegExp(`^arn:aws:sts::${accountId}:assumed-role/Access/sdk-users-`),
    );
    const s3 = new S3Client({
      region: LOCAL_REGION,
      endpoint: process.env.AWS_ENDPOINT_URL,
      forcePathStyle: true,
      credentials,
    });
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(["tenant-reports"]);
  });

  it("gives the expiration to the SDK, and makes one request for concurrent callers", async () => {
    const credentials = fromControlPlane(options());
    const before = bridge.requests();
    const all = await Promise.all(Array.from({ length: 8 }, () => credentials()));
    expect(bridge.requests() - before).toBe(1);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    const expiration = all[0]?.expiration as Date;
    expect(expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(expiration.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);
    // A later call inside the lifetime is answered from memory.
    await credentials();
    expect(bridge.requests() - before).toBe(1);
  });

  it("refreshes ahead of expiry under a fake clock, and the new session works", async () => {
    // One clock for the provider and the broker (both in this process): the broker's own cache
    // refreshes at the same point, so the second request gets a new session from STS.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      const credentials = fromControlPlane(options());
      const asked = bridge.requests();
      const first = await credentials();
      const expires = (first.expiration as Date).getTime();
      vi.setSystemTime(expires - 301_000); // just outside the 5-minute window: kept
      expect(await credentials()).toBe(first);
      expect(bridge.requests() - asked).toBe(1);
      vi.setSystemTime(expires - 299_000); // inside it: a new session
      const second = await credentials();
      expect(bridge.requests() - asked).toBe(2);
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(await credentials()).toBe(second);
      expect(bridge.requests() - asked).toBe(2);
      const sts = new STSClient({
        region: LOCAL_REGION,
        endpoint: process.env.AWS_ENDPOINT_URL,
        credentials: second,
      });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(accountId);
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes the API's refusal on with its status and code, through the SDK client", async () => {
    const credentials = fromControlPlane({ ...options(), accountId: "610000000009" });
    const sts = new STSClient({
      region: LOCAL_REGION,
      endpoint: process.env.AWS_ENDPOINT_URL,
      credentials,
    });
    const err = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect(err).toMatchObject({ status: 404, code: "ACCOUNT_NOT_FOUND" });
    expect((err as Error).message).toContain(
      `POST ${bridge.url}/v1/sessions → 404 ACCOUNT_NOT_FOUND`,
    );
  });
});
