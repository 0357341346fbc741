import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as cloudformation from "@aws-sdk/client-cloudformation";
import * as dynamodb from "@aws-sdk/client-dynamodb";
import * as iam from "@aws-sdk/client-iam";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import * as s3 from "@aws-sdk/client-s3";
import * as sns from "@aws-sdk/client-sns";
import * as sts from "@aws-sdk/client-sts";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION, ROOT } from "../../tools/local-aws/local-stack";

/**
 * The local AWS decides Allow as IAM does (tools/local-aws/iam_enforcement.py): every row of
 * test/fixtures/iam/allow-cases.json is a role with its policies, a session of it, and one real
 * call with that session through the AWS SDK, with IAM's expected answer. A row that passes with
 * the emulator's evaluation switched off (CP_EMULATOR_IAM=off) would prove nothing: the deny
 * rows are half the table.
 */
interface Row {
  name: string;
  path?: string;
  policies: unknown[][];
  managed?: string[];
  boundary?: unknown[];
  session?: unknown[];
  tags?: Record<string, string>;
  sourceIdentity?: string;
  call: [string, string, Record<string, unknown>];
  expect: "allow" | "deny";
}
const { rows } = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/iam/allow-cases.json"), "utf8"),
) as { rows: Row[] };

const ACCOUNT = "960000000001";
const TABLE = "allow-table";
const base = () => ({ endpoint: process.env.AWS_ENDPOINT_URL as string, region: LOCAL_REGION });
const root = { accessKeyId: ACCOUNT, secretAccessKey: "testing" };
const clients: Record<string, { module: Record<string, unknown>; client: string }> = {
  s3: { module: s3, client: "S3Client" },
  iam: { module: iam, client: "IAMClient" },
  sts: { module: sts, client: "STSClient" },
  sns: { module: sns, client: "SNSClient" },
  dynamodb: { module: dynamodb, client: "DynamoDBClient" },
  cloudformation: { module: cloudformation, client: "CloudFormationClient" },
};

const fill = <T>(value: T, n: number, role: string): T =>
  JSON.parse(
    JSON.stringify(value)
      .replaceAll("{account}", ACCOUNT)
      .replaceAll("{table}", TABLE)
      .replaceAll("{role}", role)
      .replaceAll("{n}", String(n)),
  ) as T;
const doc = (statements: unknown[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

beforeAll(async () => {
  await new dynamodb.DynamoDBClient({ ...base(), credentials: root }).send(
    new dynamodb.CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "PK", AttributeType: "S" },
        { AttributeName: "GSI1PK", AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "PK", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: "GSI1",
          KeySchema: [{ AttributeName: "GSI1PK", KeyType: "HASH" }],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
});

/** The row's role, a session of it, and its call with that session: "allow" or "deny". */
async function decide(row: Row, n: number): Promise<{ outcome: string; detail: string }> {
  const role = `allow-${n}`;
  const r = fill(row, n, role);
  const admin = new IAMClient({ ...base(), credentials: root });
  let boundaryArn: string | undefined;
  if (r.boundary) {
    const created = await admin.send(
      new CreatePolicyCommand({ PolicyName: `${role}-boundary`, PolicyDocument: doc(r.boundary) }),
    );
    boundaryArn = created.Policy?.Arn;
  }
  const created = await admin.send(
    new CreateRoleCommand({
      RoleName: role,
      Path: r.path ?? "/",
      ...(boundaryArn ? { PermissionsBoundary: boundaryArn } : {}),
      AssumeRolePolicyDocument: doc([
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        },
      ]),
    }),
  );
  for (const [i, statements] of r.policies.entries())
    await admin.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: `p${i}`,
        PolicyDocument: doc(statements),
      }),
    );
  for (const arn of r.managed ?? [])
    await admin.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
  const session = await new STSClient({ ...base(), credentials: root }).send(
    new AssumeRoleCommand({
      RoleArn: created.Role?.Arn,
      RoleSessionName: `row-${n}`,
      ...(r.session ? { Policy: doc(r.session) } : {}),
      ...(r.tags ? { Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      ...(r.sourceIdentity ? { SourceIdentity: r.sourceIdentity } : {}),
    }),
  );
  const c = session.Credentials;
  const credentials = {
    accessKeyId: c?.AccessKeyId as string,
    secretAccessKey: c?.SecretAccessKey as string,
    sessionToken: c?.SessionToken as string,
  };
  const [service, command, input] = r.call;
  const spec = clients[service];
  if (!spec) throw new Error(`no client for ${service}`);
  const Client = spec.module[spec.client] as new (
    c: object,
  ) => { send(c: unknown): Promise<unknown> };
  const Command = spec.module[`${command}Command`] as new (i: object) => unknown;
  const client = new Client({
    ...base(),
    credentials,
    ...(service === "s3" ? { forcePathStyle: true } : {}),
  });
  try {
    await client.send(new Command(input));
    return { outcome: "allow", detail: "answered" };
  } catch (err) {
    const name = (err as Error).name;
    if (name === "AccessDenied" || name === "AccessDeniedException")
      return { outcome: "deny", detail: (err as Error).message };
    // IAM let it through; the service answered on its own (no such entity, no such table).
    return { outcome: "allow", detail: `${name}: ${(err as Error).message}` };
  }
}

describe("IAM's Allow on the local AWS (test/fixtures/iam/allow-cases.json)", () => {
  it("has rows that allow and rows that deny, through every layer", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.expect === "deny").length).toBeGreaterThanOrEqual(20);
    expect(
      rows.some((r) => r.boundary) && rows.some((r) => r.session) && rows.some((r) => r.managed),
    ).toBe(true);
  });

  it.each(rows.map((row, n) => [row.name, row, n] as const))("%s", async (_, row, n) => {
    const { outcome, detail } = await decide(row, n);
    expect(outcome, detail).toBe(row.expect);
  });
});
