import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  AwsTenantRoleGateway,
  classifyAwsError,
  parsePolicyDocument,
} from "../../../shared/adapters/aws-tenant-role-gateway";
import { RoleAccessError } from "../../../shared/domain/errors";
import { ServiceUnavailableError } from "../../../shared/errors";

function named(name: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe("classifying STS and IAM errors", () => {
  it.each([
    ["AccessDenied", "ACCESS_DENIED"],
    ["NoSuchEntityException", "ROLE_NOT_FOUND"],
    ["RegionDisabledException", "REGION_DISABLED"],
    ["Throttling", "THROTTLED"],
    ["ThrottlingException", "THROTTLED"],
    ["ExpiredTokenException", "EXPIRED_TOKEN"],
    ["ValidationError", "INVALID_REQUEST"],
    ["PackedPolicyTooLargeException", "INVALID_REQUEST"],
  ])("%s → %s", (name, code) => {
    let thrown: unknown;
    try {
      classifyAwsError(named(name));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RoleAccessError);
    expect((thrown as RoleAccessError).code).toBe(code);
  });

  it("turns timeouts and connection failures into 503", () => {
    expect(() => classifyAwsError(named("TimeoutError"))).toThrow(ServiceUnavailableError);
    expect(() => classifyAwsError(named("Error", { code: "ECONNRESET" }))).toThrow(
      ServiceUnavailableError,
    );
  });

  it("lets anything else through unchanged", () => {
    const err = named("SomethingNew");
    expect(() => classifyAwsError(err)).toThrow(err);
  });
});

describe("AwsTenantRoleGateway", () => {
  const sts = mockClient(STSClient);
  const iam = mockClient(IAMClient);
  // mockClient patched the class itself: later files of this worker share it (vitest.config.ts).
  afterAll(() => {
    sts.restore();
    iam.restore();
  });
  beforeEach(() => {
    sts.reset();
    iam.reset();
  });

  it("sends the external ID, session name, source identity, tags and session policy", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "AK",
        SecretAccessKey: "SK",
        SessionToken: "ST",
        Expiration: new Date("2026-11-23T11:00:00Z"),
      },
    });
    const creds = await new AwsTenantRoleGateway().assumeRole({
      roleArn: "arn:aws:iam::012345678901:role/Access",
      externalId: "cpx-1",
      sessionName: "cp-verify-1",
      durationSeconds: 900,
      region: "eu-west-1",
      sourceIdentity: "control-plane",
      tags: [{ key: "cp:purpose", value: "verification" }],
      policy: "{}",
    });
    expect(creds).toEqual({
      accessKeyId: "AK",
      secretAccessKey: "SK",
      sessionToken: "ST",
      expiration: new Date("2026-11-23T11:00:00Z"),
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: "arn:aws:iam::012345678901:role/Access",
      RoleSessionName: "cp-verify-1",
      DurationSeconds: 900,
      ExternalId: "cpx-1",
      SourceIdentity: "control-plane",
      Tags: [{ Key: "cp:purpose", Value: "verification" }],
      Policy: "{}",
    });
  });

  it("reads the trust policy URL-decoded, as IAM returns it", async () => {
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow" }] };
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: "Access",
        Arn: "arn",
        Path: "/",
        RoleId: "id",
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(doc)),
      },
    });
    const creds = { accessKeyId: "a", secretAccessKey: "b", sessionToken: "c" };
    await expect(
      new AwsTenantRoleGateway().roleTrustPolicy(creds, "Access", "us-east-1"),
    ).resolves.toEqual(doc);
  });

  it("parses plain and encoded documents, and gives undefined for garbage", () => {
    expect(parsePolicyDocument('{"a":1}')).toEqual({ a: 1 });
    expect(parsePolicyDocument("%7B%22a%22%3A1%7D")).toEqual({ a: 1 });
    expect(parsePolicyDocument("%%%")).toBeUndefined();
  });
});
