import { describe, expect, it } from "vitest";
import { parseDeployArgs, pinnedRuntimeVersionArn } from "../../../ops/deploy-args";

describe("npm run deploy / remove arguments", () => {
  it.each([
    [["prod", "--region", "eu-west-1"], {}, { stage: "prod", region: "eu-west-1" }],
    [["dev"], { AWS_REGION: "us-east-2" }, { stage: "dev", region: "us-east-2" }],
    [
      ["staging-2"],
      { AWS_DEFAULT_REGION: "eusc-de-east-1" },
      { stage: "staging-2", region: "eusc-de-east-1" },
    ],
  ])("%j with %j", (argv, env, expected) => {
    expect(parseDeployArgs(argv, env)).toEqual({
      ...expected,
      stackName: `cross-account-control-plane-${expected.stage}`,
    });
  });

  it.each([
    [[], "usage"],
    [["--region", "eu-west-1"], "usage"],
    [["Prod"], "lowercase"],
    [["local"], "npm start"],
    [["prod"], "no region"],
    [["prod", "--region", "mars"], "not a region"],
    [["prod", "--force"], "unknown argument"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseDeployArgs(argv, {})).toThrow(message);
  });
});

describe("the runtime version a deploy pins", () => {
  const version = "0cdcfbdefbc5e7d3343f73c2e2dd3cba17d61dea0686b404502a0c9ce83931b9";
  const pin = {
    runtime: "nodejs22.x",
    architecture: "arm64",
    node: "22.23.5",
    runtimeVersionArns: {
      "eu-west-1": `arn:aws:lambda:eu-west-1::runtime:${version}`,
      "us-east-1": `arn:aws:lambda:eu-west-1::runtime:${version}`,
      "us-west-2": "arn:aws:lambda:us-west-2::runtime:latest",
    },
  };

  it("is the ARN recorded for the region", () => {
    expect(pinnedRuntimeVersionArn("eu-west-1", pin)).toBe(
      `arn:aws:lambda:eu-west-1::runtime:${version}`,
    );
  });

  it.each([
    ["eu-central-1", "no runtime version pinned for eu-central-1"],
    ["us-east-1", "is not a runtime version ARN of us-east-1"],
    ["us-west-2", "is not a runtime version ARN of us-west-2"],
  ])("refuses a deploy to %s: %s", (region, message) => {
    expect(() => pinnedRuntimeVersionArn(region, pin)).toThrow(message);
    expect(() => pinnedRuntimeVersionArn(region, pin)).toThrow("Node.js 22.23.5");
  });
});
