import { describe, expect, it } from "vitest";
import { parseAssumedRoleArn, parseRoleArn, REGION_PATTERN } from "../../../shared/domain/arn";
import { consoleDomain, quickCreateUrl } from "../../../shared/domain/onboarding";

describe("role ARNs", () => {
  it.each([
    [
      "arn:aws:iam::123456789012:role/Access",
      { partition: "aws", accountId: "123456789012", path: "/", roleName: "Access" },
    ],
    [
      "arn:aws:iam::012345678901:role/Access",
      { partition: "aws", accountId: "012345678901", path: "/", roleName: "Access" },
    ],
    [
      "arn:aws:iam::000000000001:role/a/b/c/Name+=,.@_-",
      { accountId: "000000000001", path: "/a/b/c/", roleName: "Name+=,.@_-" },
    ],
    ["arn:aws-cn:iam::123456789012:role/Access", { partition: "aws-cn" }],
    ["arn:aws-us-gov:iam::123456789012:role/Access", { partition: "aws-us-gov" }],
    ["arn:aws-iso-b:iam::123456789012:role/Access", { partition: "aws-iso-b" }],
  ])("accepts %s", (arn, expected) => {
    expect(parseRoleArn(arn)).toMatchObject({ ...expected, arn });
  });

  it.each([
    ["not-an-arn", "NOT_AN_ARN"],
    ["arn:aws:iam::123456789012:role", "NOT_A_ROLE"],
    ["arn:aws:iam::123456789012:user/alice", "NOT_A_ROLE"],
    ["arn:aws:sts::123456789012:assumed-role/A/s", "NOT_IAM"],
    ["arn:aws:iam:us-east-1:123456789012:role/A", "NOT_IAM"],
    ["arn:aws-mars:iam::123456789012:role/A", "UNKNOWN_PARTITION"],
    ["arn:aws:iam::12345678901:role/A", "INVALID_ACCOUNT_ID"],
    ["arn:aws:iam::1234567890123:role/A", "INVALID_ACCOUNT_ID"],
    ["arn:aws:iam::12345678901a:role/A", "INVALID_ACCOUNT_ID"],
    ["arn:aws:iam::123456789012:role/", "INVALID_ROLE_NAME"],
    [`arn:aws:iam::123456789012:role/${"a".repeat(65)}`, "INVALID_ROLE_NAME"],
    ["arn:aws:iam::123456789012:role/has space", "INVALID_ROLE_NAME"],
    ["arn:aws:iam::123456789012:role/a//b", "INVALID_ROLE_PATH"],
    ["arn:aws:iam::123456789012:role/a b/x", "INVALID_ROLE_PATH"],
  ])("refuses %s (%s)", (arn, problem) => {
    expect(parseRoleArn(arn)).toBe(problem);
  });

  it("parses assumed-role ARNs", () => {
    expect(
      parseAssumedRoleArn("arn:aws:sts::012345678901:assumed-role/Access/cp-verify-1"),
    ).toEqual({
      partition: "aws",
      accountId: "012345678901",
      roleName: "Access",
      sessionName: "cp-verify-1",
    });
    expect(parseAssumedRoleArn("arn:aws:iam::012345678901:user/alice")).toBeUndefined();
  });
});

describe("region names and console domains", () => {
  it.each([
    "us-east-1",
    "eu-central-2",
    "ap-southeast-7",
    "mx-central-1",
    "cn-north-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "eusc-de-east-1",
  ])("%s is well formed", (region) => {
    expect(REGION_PATTERN.test(region)).toBe(true);
  });

  it.each([
    "",
    "us-east",
    "useast1",
    "us-east-1a",
    "US-EAST-1",
    "us-east-123",
    "x-y-1",
    "a-b-c-d-1",
  ])("%j is not", (region) => {
    expect(REGION_PATTERN.test(region)).toBe(false);
  });

  it.each([
    ["us-east-1", "aws", "us-east-1.console.aws.amazon.com"],
    ["eu-central-2", "aws", "eu-central-2.console.aws.amazon.com"],
    ["cn-north-1", "aws-cn", "console.amazonaws.cn"],
    ["us-gov-west-1", "aws-us-gov", "console.amazonaws-us-gov.com"],
  ])("%s in %s: console %s", (region, partition, domain) => {
    expect(consoleDomain(region, partition)).toBe(domain);
  });
});

describe("quick-create link", () => {
  const link = quickCreateUrl({
    region: "eu-west-1",
    partition: "aws",
    templateUrl: "https://bucket.s3.eu-west-1.amazonaws.com/tenant-role.yaml",
    stackName: "CrossAccountControlPlaneAccess",
    parameters: {
      ExternalId: "cpx-a+b/c=d",
      ControlPlanePrincipalArn: "arn:aws:iam::123456789012:role/control-plane/access/*",
    },
  });

  it("follows the console's quick-create shape with every value URL-encoded", () => {
    const [base, fragment] = link.split("#");
    expect(base).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1",
    );
    expect(fragment?.startsWith("/stacks/quickcreate?")).toBe(true);
    const params = new URLSearchParams(fragment?.slice("/stacks/quickcreate?".length));
    expect(params.get("templateURL")).toBe(
      "https://bucket.s3.eu-west-1.amazonaws.com/tenant-role.yaml",
    );
    expect(params.get("stackName")).toBe("CrossAccountControlPlaneAccess");
    expect(params.get("param_ExternalId")).toBe("cpx-a+b/c=d");
    expect(params.get("param_ControlPlanePrincipalArn")).toBe(
      "arn:aws:iam::123456789012:role/control-plane/access/*",
    );
    expect(fragment).toContain("param_ExternalId=cpx-a%2Bb%2Fc%3Dd");
  });

  it("refuses an invalid stack name or an overlong template URL", () => {
    const base = {
      region: "us-east-1",
      partition: "aws",
      templateUrl: "https://x",
      parameters: {},
    };
    expect(() => quickCreateUrl({ ...base, stackName: "1-starts-with-digit" })).toThrow();
    expect(() => quickCreateUrl({ ...base, stackName: "has_underscore" })).toThrow();
    expect(() =>
      quickCreateUrl({ ...base, stackName: "ok", templateUrl: `https://${"x".repeat(1100)}` }),
    ).toThrow();
  });
});
