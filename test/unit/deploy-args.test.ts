import { describe, expect, it } from "vitest";
import { parseDeployArgs } from "../../scripts/deploy-args";

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
