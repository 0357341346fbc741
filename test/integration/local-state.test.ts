import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CONTROL_PLANE_ACCOUNT,
  CONTROL_PLANE_ROOT_TRUST,
  LOCAL_REGION,
  type Moto,
  startMoto,
} from "../../tools/local-aws/local-stack";

/**
 * The local AWS's state across restarts (tools/local-aws/moto-server.py): `npm start` records
 * every request to the emulator and replays the file at the next start. Each test here runs its
 * own emulator on its own state file and restarts it, as `npm start` does.
 */
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const ROOT_KEY: Credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const client = <T>(
  C: new (config: Record<string, unknown>) => T,
  moto: Moto,
  credentials: Credentials = ROOT_KEY,
): T =>
  // One attempt: the SDK retries a 500, and each attempt would be a recorded request.
  new C({ endpoint: moto.endpoint, region: LOCAL_REGION, credentials, maxAttempts: 1 });

let dir: string;
const running: Moto[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cp-local-state-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(stateFile: string): Promise<Moto> {
  const moto = await startMoto(undefined, stateFile);
  running.push(moto);
  return moto;
}
async function restart(moto: Moto, stateFile: string): Promise<Moto> {
  await moto.stop();
  return start(stateFile);
}
/** The line of the state file whose request's body contains `text`. */
const lineOf = (stateFile: string, text: string): number =>
  readFileSync(stateFile, "utf8")
    .split("\n")
    .findIndex((line) => {
      if (!line.trim()) return false;
      const { body, body_encoded } = JSON.parse(line) as { body?: string; body_encoded?: boolean };
      return (body_encoded ? Buffer.from(body ?? "", "base64").toString() : (body ?? "")).includes(
        text,
      );
    }) + 1;

async function createRole(moto: Moto, name: string): Promise<string> {
  const out = await client(IAMClient, moto).send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(CONTROL_PLANE_ROOT_TRUST),
    }),
  );
  return out.Role?.RoleId as string;
}
const roleId = async (moto: Moto, name: string) =>
  (await client(IAMClient, moto).send(new GetRoleCommand({ RoleName: name }))).Role?.RoleId;

describe("a request that fails at replay", () => {
  it("is skipped, named by its line, and every later request is replayed with its identifiers", async () => {
    const state = join(dir, "failed.jsonl");
    let moto = await start(state);
    const before = await createRole(moto, "before-failure");
    // An API the emulator does not implement: a 500, recorded like any request.
    await expect(
      client(IAMClient, moto).send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/before-failure`,
          ActionNames: ["s3:GetObject"],
        }),
      ),
    ).rejects.toThrow();
    const after = await createRole(moto, "after-failure");
    // And a line cut short, as when the emulator is killed while it writes one.
    appendFileSync(state, '{"headers": {"Host": "127.0.0.1"}, "method": "PO');
    const failed = lineOf(state, "SimulatePrincipalPolicy");
    const cut = readFileSync(state, "utf8").split("\n").length;
    expect(failed).toBeGreaterThan(0);

    moto = await restart(moto, state);
    expect(moto.replay).toMatch(
      new RegExp(
        `^replayed ${cut} requests from .*, skipped 2 that failed \\(lines ${failed}, ${cut}\\): `,
      ),
    );
    expect(moto.replay).toContain(`line ${failed}: POST / (iam SimulatePrincipalPolicy): `);
    expect(moto.replay).toContain(`line ${cut}: an unreadable line`);
    // The same identifiers: nothing before or after the failed request was shifted.
    expect(await roleId(moto, "before-failure")).toBe(before);
    expect(await roleId(moto, "after-failure")).toBe(after);
    // A new request after the replay is recorded and kept like the others.
    const later = await createRole(moto, "after-restart");
    moto = await restart(moto, state);
    expect(await roleId(moto, "after-restart")).toBe(later);
    expect(await roleId(moto, "after-failure")).toBe(after);
  });

  it("a clean replay says how many and nothing more", async () => {
    const state = join(dir, "clean.jsonl");
    let moto = await start(state);
    await createRole(moto, "clean");
    moto = await restart(moto, state);
    // The one request made: the starts' readiness probes are neither recorded nor replayed.
    expect(moto.replay).toMatch(/^replayed 1 requests from \S+clean\.jsonl in [\d.]+ s$/);
  });
});

describe("replay sends nothing out", () => {
  let received: string[];
  let server: Server;
  const listen = async () => {
    received = [];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        received.push(body);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  };
  const close = () => new Promise<void>((r) => server.close(() => r()));

  it("SNS delivers to HTTP subscribers live, never on replay, and a subscriber gone changes nothing", async () => {
    const state = join(dir, "sns.jsonl");
    const url = await listen();
    let moto = await start(state);
    const sns = () => client(SNSClient, moto);
    const topic = (await sns().send(new CreateTopicCommand({ Name: "relayed" }))).TopicArn;
    await sns().send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: url }));
    await sns().send(new PublishCommand({ TopicArn: topic, Message: "first" }));
    expect(received.filter((b) => b.includes("first"))).toHaveLength(1);

    moto = await restart(moto, state);
    expect(moto.replay).not.toContain("skipped");
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((b) => b.includes("first"))).toHaveLength(1);
    // After the replay, deliveries go out again.
    await sns().send(new PublishCommand({ TopicArn: topic, Message: "second" }));
    expect(received.filter((b) => b.includes("second"))).toHaveLength(1);

    // The subscriber's port is gone (a relay of an earlier run): the replay still succeeds.
    await close();
    moto = await restart(moto, state);
    expect(moto.replay).toMatch(/^replayed \d+ requests from \S+sns\.jsonl in [\d.]+ s$/);
    expect(received).toHaveLength(2);
  });
});

describe("a session across a restart", () => {
  it("keeps its issue time: revoked before the restart, revoked after it", async () => {
    const state = join(dir, "sessions.jsonl");
    let moto = await start(state);
    await createRole(moto, "revocable");
    const allowRead = {
      Effect: "Allow",
      Action: "iam:GetRole",
      Resource: "*",
    };
    await client(IAMClient, moto).send(
      new PutRolePolicyCommand({
        RoleName: "revocable",
        PolicyName: "Read",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [allowRead] }),
      }),
    );
    const session = async (name: string): Promise<Credentials> => {
      const out = await client(STSClient, moto).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/revocable`,
          RoleSessionName: name,
        }),
      );
      const c = out.Credentials;
      return {
        accessKeyId: c?.AccessKeyId as string,
        secretAccessKey: c?.SecretAccessKey as string,
        sessionToken: c?.SessionToken as string,
      };
    };
    const pause = () => new Promise((r) => setTimeout(r, 50));
    const revoked = await session("revoked");
    await pause();
    // What the emergency brake and the IAM console's "revoke active sessions" write.
    const cutoff = new Date().toISOString();
    await pause();
    const fresh = await session("fresh");
    await client(IAMClient, moto).send(
      new PutRolePolicyCommand({
        RoleName: "revocable",
        PolicyName: "Revocation",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Action: "*",
              Resource: "*",
              Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } },
            },
          ],
        }),
      }),
    );
    const getRole = (credentials: Credentials) =>
      client(IAMClient, moto, credentials).send(new GetRoleCommand({ RoleName: "revocable" }));

    await expect(getRole(revoked)).rejects.toThrow(/explicit deny/);
    expect((await getRole(fresh)).Role?.RoleName).toBe("revocable");

    moto = await restart(moto, state);
    expect(moto.replay).not.toContain("skipped");
    await expect(getRole(revoked)).rejects.toThrow(/explicit deny/);
    expect((await getRole(fresh)).Role?.RoleName).toBe("revocable");
  });
});

describe("UpdateStack with UsePreviousValue", () => {
  const template = (displayName: string) =>
    JSON.stringify({
      Parameters: {
        TopicName: { Type: "String" },
        DisplayName: { Type: "String", Default: "left-at-default" },
      },
      Resources: {
        Topic: {
          Type: "AWS::SNS::Topic",
          Properties: {
            TopicName: { Ref: "TopicName" },
            DisplayName: { "Fn::Join": ["-", [{ Ref: "DisplayName" }, displayName]] },
          },
        },
      },
    });
  const parameters = (stack: {
    Parameters?: { ParameterKey?: string; ParameterValue?: string }[];
  }) => Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));

  it("keeps a parameter left at its default at create, and one changed by an update", async () => {
    const state = join(dir, "stacks.jsonl");
    let moto = await start(state);
    const cfn = () => client(CloudFormationClient, moto);
    const describe = async () =>
      (await cfn().send(new DescribeStacksCommand({ StackName: "previous-values" }))).Stacks?.[0];
    await cfn().send(
      new CreateStackCommand({
        StackName: "previous-values",
        TemplateBody: template("v1"),
        Parameters: [{ ParameterKey: "TopicName", ParameterValue: "created" }],
      }),
    );
    const usePrevious = ["TopicName", "DisplayName"].map((ParameterKey) => ({
      ParameterKey,
      UsePreviousValue: true,
    }));
    await cfn().send(
      new UpdateStackCommand({
        StackName: "previous-values",
        TemplateBody: template("v2"),
        Parameters: usePrevious,
      }),
    );
    let stack = await describe();
    expect(stack?.StackStatus).toBe("UPDATE_COMPLETE");
    expect(parameters(stack ?? {})).toEqual({
      TopicName: "created",
      DisplayName: "left-at-default",
    });

    await cfn().send(
      new UpdateStackCommand({
        StackName: "previous-values",
        TemplateBody: template("v3"),
        Parameters: [
          { ParameterKey: "TopicName", UsePreviousValue: true },
          { ParameterKey: "DisplayName", ParameterValue: "given" },
        ],
      }),
    );
    await cfn().send(
      new UpdateStackCommand({
        StackName: "previous-values",
        TemplateBody: template("v4"),
        Parameters: usePrevious,
      }),
    );
    stack = await describe();
    expect(stack?.StackStatus).toBe("UPDATE_COMPLETE");
    expect(parameters(stack ?? {})).toEqual({ TopicName: "created", DisplayName: "given" });

    // And the updates replay (they stopped every start with a 500 before).
    moto = await restart(moto, state);
    expect(moto.replay).not.toContain("skipped");
    stack = await describe();
    expect(stack?.StackStatus).toBe("UPDATE_COMPLETE");
    expect(parameters(stack ?? {})).toEqual({ TopicName: "created", DisplayName: "given" });
  });
});
