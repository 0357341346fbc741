import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { LOCAL_REGION, ROOT } from "../../tools/local-aws/local-stack";
import {
  CONTROL_PLANE_PATTERN,
  deployTenantStack,
  tenantAdmin,
  tenantCloudFormation,
  updateTenantStack,
} from "../support/tenant-account";

/**
 * AWS-managed policies and a role's ManagedPolicyArns on the emulator
 * (tools/local-aws/managed_policies.py): the policies exist in every account, as on AWS, and
 * CloudFormation attaches, changes and detaches a role's ManagedPolicyArns as it does on AWS, so
 * a tenant role deployed from infra/tenant-role.yaml carries ReadOnlyAccess.
 */
const STACK_ACCOUNT = "990000000001";
const UPDATED_ACCOUNT = "990000000002";
const BY_HAND = ["990000000003", "990000000004"];
const ROLE = "CrossAccountControlPlaneAccess";
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";

const iamOf = async (accountId: string) =>
  new IAMClient({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    credentials: await tenantAdmin(accountId),
  });

async function attached(accountId: string, roleName = ROLE): Promise<string[]> {
  const out = await (await iamOf(accountId)).send(
    new ListAttachedRolePoliciesCommand({ RoleName: roleName }),
  );
  return (out.AttachedPolicies ?? []).map((p) => p.PolicyArn as string).sort();
}

const parameters = (accountId: string, managedPolicyArns?: string) => ({
  ExternalId: `ext-${accountId}`,
  ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
  ...(managedPolicyArns === undefined ? {} : { ManagedPolicyArns: managedPolicyArns }),
});

/** Every AWS-managed policy ARN the project's templates, docs and tests name. */
function referencedAwsPolicies(): string[] {
  const files = [
    "README.md",
    ...readdirSync(join(ROOT, "infra"))
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => `infra/${f}`),
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
    ...readdirSync(join(ROOT, "test/fixtures/cloudformation")).map(
      (f) => `test/fixtures/cloudformation/${f}`,
    ),
  ];
  const arns = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    for (const m of text.matchAll(
      /arn:(?:aws|\$\{AWS::Partition\}):iam::aws:policy\/[\w+=,.@/-]+/g,
    ))
      arns.add(m[0].replace(/\$\{AWS::Partition\}/, "aws"));
  }
  return [...arns].sort();
}

describe("AWS-managed policies on the emulator", () => {
  it("a tenant stack's role carries ReadOnlyAccess, whose document the tenant can read", async () => {
    await deployTenantStack(STACK_ACCOUNT, "managed-default", parameters(STACK_ACCOUNT));
    expect(await attached(STACK_ACCOUNT)).toEqual([READ_ONLY]);

    const iam = await iamOf(STACK_ACCOUNT);
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy;
    expect(policy).toMatchObject({ PolicyName: "ReadOnlyAccess", AttachmentCount: 1 });
    const version = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: READ_ONLY,
        VersionId: policy?.DefaultVersionId as string,
      }),
    );
    const document = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document as string));
    const actions = document.Statement.flatMap((s: { Effect: string; Action: string[] }) =>
      s.Effect === "Allow" ? s.Action : [],
    );
    expect(actions).toEqual(expect.arrayContaining(["iam:Get*", "s3:Get*", "dynamodb:Query"]));
    expect(document.Statement.some((s: { Effect: string }) => s.Effect === "Deny")).toBe(false);
  });

  it("a stack update changes the role's managed policies as its parameter says, and leaves one attached by other means", async () => {
    await deployTenantStack(UPDATED_ACCOUNT, "managed-updated", parameters(UPDATED_ACCOUNT));
    // The control plane's freeze attaches the brake outside the stack: no update touches it.
    const brake = `arn:aws:iam::${UPDATED_ACCOUNT}:policy/control-plane/${ROLE}-EmergencyBrake`;
    const iam = await iamOf(UPDATED_ACCOUNT);
    await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: brake }));

    await updateTenantStack(
      UPDATED_ACCOUNT,
      "managed-updated",
      parameters(UPDATED_ACCOUNT, `${VIEW_ONLY},arn:aws:iam::aws:policy/AWSDenyAll`),
    );
    expect(await attached(UPDATED_ACCOUNT)).toEqual(
      ["arn:aws:iam::aws:policy/AWSDenyAll", VIEW_ONLY, brake].sort(),
    );
    const readOnly = await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }));
    expect(readOnly.Policy?.AttachmentCount).toBe(0);

    await updateTenantStack(UPDATED_ACCOUNT, "managed-updated", parameters(UPDATED_ACCOUNT, ""));
    expect(await attached(UPDATED_ACCOUNT)).toEqual([READ_ONLY, brake].sort());

    // Deleting the stack detaches what it attached before deleting the role (IAM refuses to
    // delete a role with a policy attached); the brake is gone with the stack that created it.
    await iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: brake }));
    const cfn = tenantCloudFormation(UPDATED_ACCOUNT);
    await cfn.send(new DeleteStackCommand({ StackName: "managed-updated" }));
    await expect(
      cfn.send(new DescribeStacksCommand({ StackName: "managed-updated" })),
    ).rejects.toThrow(/does not exist/);
    await expect(iam.send(new GetRoleCommand({ RoleName: ROLE }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
    expect(
      (await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy?.AttachmentCount,
    ).toBe(0);
  });

  it("an AWS-managed policy attaches by hand in any 12-digit account, with the same ID in each", async () => {
    const ids: string[] = [];
    for (const accountId of BY_HAND) {
      const iam = await iamOf(accountId);
      await iam.send(
        new CreateRoleCommand({
          RoleName: "by-hand",
          AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: "by-hand", PolicyArn: READ_ONLY }));
      expect(await attached(accountId, "by-hand")).toEqual([READ_ONLY]);
      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy;
      ids.push(policy?.PolicyId as string);
    }
    expect(ids[0]).toMatch(/^ANPA[A-Z0-9]{17}$/);
    expect(ids[1]).toBe(ids[0]);

    // A name AWS does not have, or a real one under the wrong path: IAM's NoSuchEntity.
    const iam = await iamOf(BY_HAND[0] as string);
    for (const arn of [
      "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere",
      "arn:aws:iam::aws:policy/ViewOnlyAccess",
    ]) {
      await expect(
        iam.send(new AttachRolePolicyCommand({ RoleName: "by-hand", PolicyArn: arn })),
      ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    }
  });

  it("every AWS-managed policy the project names exists on the emulator", async () => {
    const arns = referencedAwsPolicies();
    expect(arns).toContain(READ_ONLY);
    const iam = await iamOf(BY_HAND[1] as string);
    for (const arn of arns) {
      const out = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      expect(out.Policy?.Arn).toBe(arn);
    }
  });
});
