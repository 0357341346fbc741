import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { LOCAL_REGION, ROOT } from "../../tools/local-aws/local-stack";

/**
 * A tenant's AWS account on the emulator, used the way its administrator would. An access key ID
 * that is a 12-digit number is the root user of that account (tools/local-aws/iam_enforcement.py).
 */
const endpoint = () => process.env.AWS_ENDPOINT_URL as string;
const base = () => ({ endpoint: endpoint(), region: LOCAL_REGION });

export const CONTROL_PLANE_PATTERN = "arn:aws:iam::123456789012:role/control-plane/access/*";

export async function tenantAdmin(accountId: string) {
  return { accessKeyId: accountId, secretAccessKey: "testing" };
}

export function trustPolicy(externalId: string, extra: Record<string, unknown> = {}) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: {
          StringEquals: { "sts:ExternalId": externalId },
          ArnLike: { "aws:PrincipalArn": CONTROL_PLANE_PATTERN },
        },
        ...extra,
      },
    ],
  };
}

/** Creates a role by hand in the tenant account, with the given trust policy and iam:GetRole on itself. */
export const READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess";

export async function createRole(
  accountId: string,
  roleName: string,
  policy: unknown,
): Promise<string> {
  const iam = new IAMClient({ ...base(), credentials: await tenantAdmin(accountId) });
  const out = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(policy) }),
  );
  const arn = out.Role?.Arn as string;
  // What the template's role has by default (infra/tenant-role.yaml, ManagedPolicyArns).
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: READ_ONLY_ACCESS }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: "ReadOwnDefinition",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:GetRole", Resource: arn }],
      }),
    }),
  );
  return arn;
}

export async function deleteRole(accountId: string, roleName: string): Promise<void> {
  const iam = new IAMClient({ ...base(), credentials: await tenantAdmin(accountId) });
  await iam
    .send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: "ReadOwnDefinition" }))
    .catch(() => undefined);
  await iam
    .send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: READ_ONLY_ACCESS }))
    .catch(() => undefined);
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

/** CloudFormation as the tenant account's admin. */
export function tenantCloudFormation(accountId: string): CloudFormationClient {
  return new CloudFormationClient({
    ...base(),
    credentials: { accessKeyId: accountId, secretAccessKey: "testing" },
  });
}

/** Where a brokered session's credentials (an API answer's `credentials`) reach the emulator. */
export function sessionClientConfig(c: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}) {
  return {
    ...base(),
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
    },
  };
}

/**
 * Starts creating a stack of infra/tenant-role.yaml (or another template) in the tenant account,
 * without waiting: a stack that registers itself waits for the control plane's answer.
 */
export async function launchTenantStack(
  accountId: string,
  stackName: string,
  parameters: Record<string, string>,
  template: { templateUrl?: string; templateFile?: string } = {},
): Promise<string> {
  const created = await tenantCloudFormation(accountId).send(
    new CreateStackCommand({
      StackName: stackName,
      ...(template.templateUrl
        ? { TemplateURL: template.templateUrl }
        : {
            TemplateBody: readFileSync(
              join(ROOT, template.templateFile ?? "infra/tenant-role.yaml"),
              "utf8",
            ),
          }),
      Capabilities: ["CAPABILITY_NAMED_IAM"],
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue: String(ParameterValue),
      })),
    }),
  );
  return created.StackId as string;
}

/** Deploys infra/tenant-role.yaml in the tenant account with the given parameters; returns its outputs. */
export async function deployTenantStack(
  accountId: string,
  stackName: string,
  parameters: Record<string, string>,
  template: { templateUrl?: string; templateFile?: string } = {},
): Promise<{ stackId: string; roleArn: string; outputs: Record<string, string> }> {
  const cfn = tenantCloudFormation(accountId);
  const created = { StackId: await launchTenantStack(accountId, stackName, parameters, template) };
  const described = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = described.Stacks?.[0];
  if (stack?.StackStatus !== "CREATE_COMPLETE")
    throw new Error(`stack ${stack?.StackStatus}: ${stack?.StackStatusReason}`);
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey as string, o.OutputValue as string]),
  );
  return { stackId: created.StackId as string, roleArn: outputs.RoleArn as string, outputs };
}

/** Updates a stack deployed by deployTenantStack with new parameters (the same template). */
export async function updateTenantStack(
  accountId: string,
  stackName: string,
  parameters: Record<string, string>,
  templateFile = "infra/tenant-role.yaml",
): Promise<void> {
  const cfn = new CloudFormationClient({ ...base(), credentials: await tenantAdmin(accountId) });
  await cfn.send(
    new UpdateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(join(ROOT, templateFile), "utf8"),
      Capabilities: ["CAPABILITY_NAMED_IAM"],
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  const described = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const status = described.Stacks?.[0]?.StackStatus;
  if (status !== "UPDATE_COMPLETE") throw new Error(`stack ${status}`);
}
