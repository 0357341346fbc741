import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AwsRoleBrakeGateway } from "../../../shared/adapters/aws-role-brake-gateway";

const iam = mockClient(IAMClient);
// mockClient patched the class itself: later files of this worker share it (vitest.config.ts).
afterAll(() => iam.restore());
const ARN = "arn:aws:iam::111111111111:policy/control-plane/Access-SessionRevocation";
const credentials = { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" };
const version = (n: number, isDefault = false) => ({
  VersionId: `v${n}`,
  IsDefaultVersion: isDefault,
  CreateDate: new Date(Date.UTC(2026, 10, n)),
});

beforeEach(() => {
  iam.reset();
  iam.on(DeletePolicyVersionCommand).resolves({});
  iam.on(CreatePolicyVersionCommand).resolves({});
});

describe("AwsRoleBrakeGateway.rewritePolicy (IAM keeps five versions of a managed policy)", () => {
  it.each([
    ["one version: nothing to delete", [version(1, true)], []],
    [
      "four versions: room for a fifth",
      [1, 2, 3].map((n) => version(n)).concat(version(4, true)),
      [],
    ],
    [
      "five versions: the oldest non-default goes first",
      [version(1), version(2, true), version(3), version(4), version(5)],
      ["v1"],
    ],
  ])("%s", async (_name, versions, deleted) => {
    iam.on(ListPolicyVersionsCommand).resolves({ Versions: versions });
    await new AwsRoleBrakeGateway({ maxAttempts: 1 }).rewritePolicy(
      credentials,
      ARN,
      '{"Version":"2012-10-17"}',
      "us-east-1",
    );
    expect(
      iam.commandCalls(DeletePolicyVersionCommand).map((c) => c.args[0].input.VersionId),
    ).toEqual(deleted);
    expect(iam.commandCalls(CreatePolicyVersionCommand)[0]?.args[0].input).toEqual({
      PolicyArn: ARN,
      PolicyDocument: '{"Version":"2012-10-17"}',
      SetAsDefault: true,
    });
  });

  it("a policy that does not exist is classified, not thrown raw", async () => {
    iam
      .on(ListPolicyVersionsCommand)
      .rejects(Object.assign(new Error("no such policy"), { name: "NoSuchEntityException" }));
    await expect(
      new AwsRoleBrakeGateway({ maxAttempts: 1 }).rewritePolicy(
        credentials,
        ARN,
        "{}",
        "us-east-1",
      ),
    ).rejects.toMatchObject({ code: "ROLE_NOT_FOUND" });
  });
});
