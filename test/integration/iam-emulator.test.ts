import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONTROL_PLANE_ACCOUNT,
  LOCAL_ACCESS_ROLE_ARN,
  LOCAL_REGION,
  ROOT,
} from "../../tools/local-aws/local-stack";
import { CONTROL_PLANE_PATTERN, deployTenantStack } from "../support/tenant-account";

/**
 * The local AWS decides AssumeRole as IAM does (tools/local-aws/iam_enforcement.py): every row of
 * test/fixtures/iam/assume-role-cases.json is one real AssumeRole against the emulator, with a
 * trust policy (from the project's templates, deployed through CloudFormation, or written out),
 * a caller, an external ID, session tags and a source identity, and IAM's expected answer. Its
 * `refused` rows are trust policies IAM does not store: CreateRole and UpdateAssumeRolePolicy
 * refuse each with IAM's error, and a stack creating a role with one fails and rolls back.
 */
interface Row {
  name: string;
  target: string;
  caller: keyof typeof callers;
  externalId?: string;
  tags?: Record<string, string>;
  sourceIdentity?: string;
  expect: "allow" | "deny";
}
interface Refused {
  name: string;
  policy: unknown;
  code: string;
  message: string;
}
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/iam/assume-role-cases.json"), "utf8"),
) as { policies: Record<string, unknown>; rows: Row[]; refused: Refused[] };

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const OTHER_ACCOUNT = "999999999999";
const POLICY_ACCOUNT = "970000000001";
const endpoint = () => process.env.AWS_ENDPOINT_URL as string;
const rootOf = (account: string): Credentials => ({
  accessKeyId: account === CONTROL_PLANE_ACCOUNT ? "testing" : account,
  secretAccessKey: "testing",
});
const ALL_STS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

const callers = {
  /** The functions' access role, as the worker runs (test/support/worker-setup.ts). */
  access: undefined as Credentials | undefined,
  accessLimited: undefined as Credentials | undefined,
  accessNoAllow: undefined as Credentials | undefined,
  accessWithSourceIdentity: undefined as Credentials | undefined,
  accessNested: undefined as Credentials | undefined,
  accessLookalike: undefined as Credentials | undefined,
  accessUpperCase: undefined as Credentials | undefined,
  outside: undefined as Credentials | undefined,
  otherAccess: undefined as Credentials | undefined,
  cpRoot: rootOf(CONTROL_PLANE_ACCOUNT),
  otherRoot: rootOf(OTHER_ACCOUNT),
};
const targets = new Map<string, string>();

function render(policy: unknown): string {
  return JSON.stringify(policy)
    .replaceAll("{{CP}}", CONTROL_PLANE_ACCOUNT)
    .replaceAll("{{ACCESS_ROLE}}", LOCAL_ACCESS_ROLE_ARN)
    .replaceAll(
      "{{NO_ALLOW_ROLE}}",
      `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/control-plane/access/no-allow`,
    );
}

/** A role in `account` and a session of it (assumed as that account's root). */
async function callerRole(
  account: string,
  path: string,
  name: string,
  actions: string[] | undefined,
  sourceIdentity?: string,
): Promise<Credentials> {
  const iam = new IAMClient({
    endpoint: endpoint(),
    region: LOCAL_REGION,
    credentials: rootOf(account),
  });
  const arn = `arn:aws:iam::${account}:role${path}${name}`;
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: path,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
          },
        ],
      }),
    }),
  );
  if (actions)
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: "AssumeTenantRoles",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: actions, Resource: "arn:aws:iam::*:role/*" }],
        }),
      }),
    );
  return assume(rootOf(account), {
    RoleArn: arn,
    RoleSessionName: `caller-${name}`,
    ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
  });
}

function policyAccountIam(): IAMClient {
  return new IAMClient({
    endpoint: endpoint(),
    region: LOCAL_REGION,
    credentials: rootOf(POLICY_ACCOUNT),
  });
}

async function assume(
  credentials: Credentials,
  input: ConstructorParameters<typeof AssumeRoleCommand>[0],
): Promise<Credentials> {
  const sts = new STSClient({ endpoint: endpoint(), region: LOCAL_REGION, credentials });
  const c = (await sts.send(new AssumeRoleCommand(input))).Credentials;
  return {
    accessKeyId: c?.AccessKeyId as string,
    secretAccessKey: c?.SecretAccessKey as string,
    sessionToken: c?.SessionToken as string,
  };
}

beforeAll(async () => {
  callers.access = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID as string,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY as string,
    sessionToken: process.env.AWS_SESSION_TOKEN as string,
  };
  const access = "/control-plane/access/";
  callers.accessLimited = await callerRole(CONTROL_PLANE_ACCOUNT, access, "limited", [
    "sts:AssumeRole",
  ]);
  callers.accessNoAllow = await callerRole(CONTROL_PLANE_ACCOUNT, access, "no-allow", undefined);
  callers.accessWithSourceIdentity = await callerRole(
    CONTROL_PLANE_ACCOUNT,
    access,
    "chained",
    ALL_STS,
    "svc-a",
  );
  callers.accessNested = await callerRole(
    CONTROL_PLANE_ACCOUNT,
    `${access}team/`,
    "nested",
    ALL_STS,
  );
  callers.accessLookalike = await callerRole(
    CONTROL_PLANE_ACCOUNT,
    "/control-plane/access-old/",
    "lookalike",
    ALL_STS,
  );
  callers.accessUpperCase = await callerRole(
    CONTROL_PLANE_ACCOUNT,
    "/Control-Plane/access/",
    "upper-case-path",
    ALL_STS,
  );
  callers.outside = await callerRole(CONTROL_PLANE_ACCOUNT, "/", "other-service", ALL_STS);
  callers.otherAccess = await callerRole(OTHER_ACCOUNT, access, "impostor", ALL_STS);

  const iam = policyAccountIam();
  let n = 0;
  for (const [name, policy] of Object.entries(fixture.policies)) {
    n += 1;
    const out = await iam.send(
      new CreateRoleCommand({ RoleName: `row-${n}`, AssumeRolePolicyDocument: render(policy) }),
    );
    targets.set(name, out.Role?.Arn as string);
  }
  targets.set("missing", `arn:aws:iam::${POLICY_ACCOUNT}:role/does-not-exist`);
  const stacks: [string, string, Record<string, string>, string][] = [
    [
      "stack:infra/tenant-role.yaml (one access role as principal)",
      "970000000005",
      { ControlPlanePrincipalArn: LOCAL_ACCESS_ROLE_ARN },
      "infra/tenant-role.yaml",
    ],
    ["stack:infra/tenant-role.yaml", "970000000002", {}, "infra/tenant-role.yaml"],
    [
      "stack:infra/tenant-role.yaml (brake disabled)",
      "970000000003",
      { EmergencyBrake: "Disabled" },
      "infra/tenant-role.yaml",
    ],
    ["stack:infra/org-management-role.yaml", "970000000004", {}, "infra/org-management-role.yaml"],
  ];
  for (const [name, account, extra, templateFile] of stacks) {
    const { outputs } = await deployTenantStack(
      account,
      "ControlPlaneAccess",
      { ExternalId: "ext-A", ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN, ...extra },
      { templateFile },
    );
    targets.set(name, outputs.RoleArn as string);
  }
}, 120_000);

describe("IAM on the local AWS: AssumeRole decided by the trust policy and the caller's own policies", () => {
  it("has at least 40 rows, and every target exists", () => {
    expect(fixture.rows.length).toBeGreaterThanOrEqual(40);
    for (const row of fixture.rows) expect(targets.get(row.target), row.target).toBeDefined();
  });

  it.each(fixture.rows)("$name → $expect", async (row) => {
    const credentials = callers[row.caller] as Credentials;
    const attempt = assume(credentials, {
      RoleArn: targets.get(row.target),
      RoleSessionName: "table-row",
      ...(row.externalId === undefined ? {} : { ExternalId: row.externalId }),
      ...(row.sourceIdentity === undefined ? {} : { SourceIdentity: row.sourceIdentity }),
      ...(row.tags
        ? { Tags: Object.entries(row.tags).map(([Key, Value]) => ({ Key, Value })) }
        : {}),
    });
    if (row.expect === "allow") await expect(attempt).resolves.toHaveProperty("accessKeyId");
    else await expect(attempt).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("IAM on the local AWS: trust policies IAM refuses to store", () => {
  const policyOf = async (iam: IAMClient, RoleName: string) =>
    decodeURIComponent(
      (await iam.send(new GetRoleCommand({ RoleName }))).Role?.AssumeRolePolicyDocument as string,
    );

  it.each(fixture.refused.map((row, i) => ({ ...row, i })))(
    "$name: CreateRole → $code, and no role",
    async ({ policy, code, message, i }) => {
      const iam = policyAccountIam();
      const RoleName = `refused-create-${i}`;
      const attempt = iam.send(
        new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: render(policy) }),
      );
      await expect(attempt).rejects.toMatchObject({
        name: expect.stringMatching(new RegExp(`^${code}(Exception)?$`)),
        message,
      });
      await expect(iam.send(new GetRoleCommand({ RoleName }))).rejects.toMatchObject({
        name: expect.stringMatching(/^NoSuchEntity(Exception)?$/),
      });
    },
  );

  it.each(fixture.refused.map((row, i) => ({ ...row, i })))(
    "$name: UpdateAssumeRolePolicy → $code, and the role keeps its trust policy",
    async ({ policy, code, message, i }) => {
      const iam = policyAccountIam();
      const RoleName = `refused-update-${i}`;
      const before = render(fixture.policies["the control plane account, no condition"]);
      const created = await iam.send(
        new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: before }),
      );
      const attempt = iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: render(policy) }),
      );
      await expect(attempt).rejects.toMatchObject({
        name: expect.stringMatching(new RegExp(`^${code}(Exception)?$`)),
        message,
      });
      expect(JSON.parse(await policyOf(iam, RoleName))).toEqual(JSON.parse(before));
      // Still decided by the policy it kept: the control plane's access role gets in.
      await expect(
        assume(callers.access as Credentials, {
          RoleArn: created.Role?.Arn,
          RoleSessionName: "after-refused-update",
        }),
      ).resolves.toHaveProperty("accessKeyId");
    },
  );

  it.each(fixture.refused.map((row, i) => ({ ...row, i })))(
    "$name: a stack's role → CREATE_FAILED with IAM's message, rolled back",
    async ({ policy, message, i }) => {
      const cfn = new CloudFormationClient({
        endpoint: endpoint(),
        region: LOCAL_REGION,
        credentials: rootOf(POLICY_ACCOUNT),
      });
      const StackName = `refused-stack-${i}`;
      const role = {
        Type: "AWS::IAM::Role",
        Properties: { RoleName: `refused-stack-role-${i}`, AssumeRolePolicyDocument: policy },
      };
      await cfn.send(
        new CreateStackCommand({
          StackName,
          TemplateBody: render({ Resources: { Role: role } }),
          Capabilities: ["CAPABILITY_NAMED_IAM"],
        }),
      );
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0];
      expect(stack?.StackStatus).toBe("ROLLBACK_COMPLETE");
      const events = (await cfn.send(new DescribeStackEventsCommand({ StackName }))).StackEvents;
      expect(events?.map((e) => [e.ResourceStatus, e.ResourceStatusReason])).toContainEqual([
        "CREATE_FAILED",
        message,
      ]);
      await expect(
        policyAccountIam().send(new GetRoleCommand({ RoleName: `refused-stack-role-${i}` })),
      ).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity(Exception)?$/) });
    },
  );
});
