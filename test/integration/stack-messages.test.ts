import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION, ROOT } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { asFunction } from "../support/function-iam";
import { type RegistrationTopic, registrationTopic } from "../support/registration-topic";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import {
  launchTenantStack,
  sessionClientConfig,
  tenantCloudFormation,
} from "../support/tenant-account";

/**
 * Messages in a stack's name, from CloudFormation and from anyone else, on the emulator: its
 * CloudFormation publishes each custom resource request to the registration topic and waits in the
 * in-progress state for the answer (tools/local-aws/cfn_emulation.py), as on AWS. An attacker who
 * can read the tenant's stack (a session brokered with a permission set that allows DescribeStacks, as the
 * template's default ReadOnlyAccess does) knows its StackId and its RegistrationToken, and anyone
 * may publish to the topic. Only CloudFormation can put the stack in the state that matches.
 */
const ATTACKER_ACCOUNT = "999988887777";
let topic: RegistrationTopic;
let table: string;
let admin: string;

const cfnAs = tenantCloudFormation;

async function describeStack(accountId: string, stackId: string): Promise<Stack> {
  const out = await cfnAs(accountId).send(new DescribeStacksCommand({ StackName: stackId }));
  return out.Stacks?.[0] as Stack;
}

async function deliver(event: SNSEvent): Promise<void> {
  const { handler } = await import("../../functions/accounts/registration");
  await asFunction("registration", () => handler(event));
}

/** The next message on the topic, delivered to the registration function. */
async function deliverNext(): Promise<Record<string, unknown>> {
  const { event, message } = await topic.next();
  await deliver(event);
  return message;
}

async function tenantWithLink(name: string) {
  const tenant = (await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } }))
    .body;
  const tenantKey = (await seedKey(table, { role: "tenant", tenantId: tenant.tenantId })).secret;
  return { tenant, tenantKey, link: () => link(tenantKey, tenant.tenantId) };
}

async function link(tenantKey: string, tenantId: string): Promise<Record<string, string>> {
  const out = await api({
    method: "POST",
    path: `/v1/tenants/${tenantId}/onboarding-links`,
    key: tenantKey,
    query: { region: LOCAL_REGION },
  });
  expect(out.status).toBe(201);
  return { ...out.body.parameters, RegistrationTopicArn: topic.topicArn };
}

/** The tenant's admin launches the link's stack; its Create waits for the control plane. */
const launch = (accountId: string, parameters: Record<string, string>, templateFile?: string) =>
  launchTenantStack(
    accountId,
    `CrossAccountControlPlaneAccess-${randomUUID().slice(0, 8)}`,
    parameters,
    templateFile ? { templateFile } : {},
  );

const account = (tenantId: string, accountId: string) =>
  api({ method: "GET", path: `/v1/tenants/${tenantId}/accounts/${accountId}`, key: admin });

async function stackRecords(tenantId: string) {
  const audit = await api({ method: "GET", path: `/v1/tenants/${tenantId}/audit`, key: admin });
  return (audit.body.items as Record<string, unknown>[]).filter(
    (r) => r.action === "STACK_MESSAGE",
  );
}

beforeAll(async () => {
  topic = await registrationTopic("cp-registration-stack-messages");
  // The emulator's CloudFormation takes its answers at its own endpoint.
  process.env.CUSTOM_RESOURCE_RESPONSE_ORIGINS = new URL(
    process.env.AWS_ENDPOINT_URL as string,
  ).origin;
  table = await useFreshTable("stackmsg");
  admin = (await seedKey(table, { role: "admin" })).secret;
});
afterAll(() => topic.close());

describe("a stack's messages act only when CloudFormation sent them", () => {
  it("forged Delete, Update and Create from another account, with the readable token and StackId, change nothing and are audited", async () => {
    const { tenant, link: newLink } = await tenantWithLink("Victim");
    const victim = "431122334455";
    const params = await newLink();
    const stackId = await launch(victim, params);
    expect((await describeStack(victim, stackId)).StackStatus).toBe("CREATE_IN_PROGRESS");
    const create = await deliverNext();
    expect((await describeStack(victim, stackId)).StackStatus).toBe("CREATE_COMPLETE");
    expect((await account(tenant.tenantId, victim)).body).toMatchObject({
      status: "VERIFIED",
      source: {
        kind: "cloudformation",
        stackId,
        templateVersion: 2,
        templateUpdateRequired: false,
      },
    });

    // A service granted read access to the account reads the stack, as ReadOnlyAccess allows.
    await api({
      method: "PUT",
      path: "/v1/permission-sets/stack-reader",
      key: admin,
      body: {
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "cloudformation:Describe*", Resource: "*" }],
        },
      },
    });
    const grant = await api({
      method: "POST",
      path: "/v1/grants",
      key: admin,
      body: { service: "reader", tenantId: tenant.tenantId, permissionSets: ["stack-reader"] },
    });
    expect(grant.status).toBe(201);
    const serviceKey = (await seedKey(table, { role: "service", service: "reader" })).secret;
    const session = await api({
      method: "POST",
      path: "/v1/sessions",
      key: serviceKey,
      body: { tenantId: tenant.tenantId, accountId: victim, permissionSet: "stack-reader" },
    });
    expect(session.status).toBe(201);
    const read = await new CloudFormationClient(sessionClientConfig(session.body.credentials)).send(
      new DescribeStacksCommand({ StackName: stackId }),
    );
    const seen = read.Stacks?.[0];
    const token = seen?.Parameters?.find((p) => p.ParameterKey === "RegistrationToken");
    expect(token?.ParameterValue).toBe(params.RegistrationToken);

    // What the attacker publishes from an account of its own: the real message's shape, with the
    // values it read, and an answer address where CloudFormation listens.
    const before = await snapshot(table);
    const forge = (type: string, extra: Record<string, unknown> = {}) => ({
      ...create,
      RequestType: type,
      RequestId: randomUUID(),
      PhysicalResourceId: `cp-registration-${victim}`,
      ...extra,
    });
    for (const type of ["Delete", "Update", "Create"]) {
      await topic.publishAs(ATTACKER_ACCOUNT, forge(type));
      await deliverNext();
    }
    expect(await snapshot(table).then((s) => s.filter((i) => !i.includes('"AUDIT')))).toEqual(
      before.filter((i) => !i.includes('"AUDIT')),
    );
    expect((await account(tenant.tenantId, victim)).body.status).toBe("VERIFIED");
    // The stack never saw an answer it was waiting for.
    expect((await describeStack(victim, stackId)).StackStatus).toBe("CREATE_COMPLETE");
    const refused = await stackRecords(tenant.tenantId);
    expect(refused.map((r) => [r.target, r.outcome, r.code])).toEqual(
      expect.arrayContaining([
        ["Delete", "REFUSED", "STACK_STATE_MISMATCH"],
        ["Update", "REFUSED", "STACK_STATE_MISMATCH"],
        ["Create", "REFUSED", "STACK_STATE_MISMATCH"],
      ]),
    );
    expect(refused).toHaveLength(3);
  });

  it("a forged Create with a fresh link's token spends nothing: the tenant's own stack registers with it", async () => {
    const { tenant, link: newLink } = await tenantWithLink("Fresh");
    const params = await newLink();
    const fresh = {
      RequestType: "Create",
      ResponseURL: `${new URL(process.env.AWS_ENDPOINT_URL as string).origin}/cloudformation_us-east-1/cfnresponse`,
      RequestId: randomUUID(),
      LogicalResourceId: "Registration",
      ResourceType: "Custom::ControlPlaneRegistration",
    };
    // An account with no role, and the control plane's own account (which holds no tenant role).
    for (const target of ["431199990000", "123456789012"]) {
      const stackId = `arn:aws:cloudformation:us-east-1:${target}:stack/CrossAccountControlPlaneAccess/${randomUUID()}`;
      await topic.publishAs(ATTACKER_ACCOUNT, {
        ...fresh,
        StackId: stackId,
        ResourceProperties: {
          ServiceToken: topic.topicArn,
          RegistrationToken: params.RegistrationToken,
          AccountId: target,
          RoleArn: `arn:aws:iam::${target}:role/CrossAccountControlPlaneAccess`,
          StackRegion: "us-east-1",
          TemplateVersion: "2",
        },
      });
      await deliverNext();
    }
    const refused = await stackRecords(tenant.tenantId);
    // No role there lets the control plane in; the control plane's own account is never asked.
    expect(refused.map((r) => r.code).sort()).toEqual([
      "CONTROL_PLANE_ACCOUNT",
      "STACK_UNREADABLE",
    ]);

    const owner = "431166667777";
    const stackId = await launch(owner, params);
    await deliverNext();
    expect((await describeStack(owner, stackId)).StackStatus).toBe("CREATE_COMPLETE");
    expect((await account(tenant.tenantId, owner)).body.status).toBe("VERIFIED");
  });

  it("a stack of template version 1 shows that it needs an update; updating it is confirmed and reported", async () => {
    const { tenant, link: newLink } = await tenantWithLink("Upgrade");
    const owner = "431100001111";
    const params = await newLink();
    const stackId = await launch(owner, params, "test/fixtures/cloudformation/tenant-role-v1.yaml");
    await deliverNext();
    expect((await account(tenant.tenantId, owner)).body.source).toEqual({
      kind: "cloudformation",
      stackId,
      templateVersion: 1,
      templateUpdateRequired: true,
    });

    await cfnAs(owner).send(
      new UpdateStackCommand({
        StackName: stackId,
        TemplateBody: readFileSync(join(ROOT, "infra/tenant-role.yaml"), "utf8"),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Parameters: Object.keys(params).map((ParameterKey) => ({
          ParameterKey,
          UsePreviousValue: true,
        })),
      }),
    );
    // The new version's property changed: CloudFormation sends an Update and waits.
    expect((await describeStack(owner, stackId)).StackStatus).toBe("UPDATE_IN_PROGRESS");
    const update = await deliverNext();
    expect(update).toMatchObject({
      RequestType: "Update",
      OldResourceProperties: expect.not.objectContaining({ TemplateVersion: expect.anything() }),
      ResourceProperties: expect.objectContaining({ TemplateVersion: "2" }),
    });
    expect((await describeStack(owner, stackId)).StackStatus).toBe("UPDATE_COMPLETE");
    expect((await account(tenant.tenantId, owner)).body.source).toMatchObject({
      templateVersion: 2,
      templateUpdateRequired: false,
    });
  });

  it("an update the control plane refuses rolls the stack back, and the rollback's Update is confirmed", async () => {
    const { tenant, link: newLink } = await tenantWithLink("Rollback");
    const owner = "431133334444";
    const params = await newLink();
    const stackId = await launch(owner, params);
    await deliverNext();
    // The stack is updated with another link's token: a token that is not this stack's, so the
    // Update is refused and CloudFormation rolls back.
    const other = await newLink();
    await cfnAs(owner).send(
      new UpdateStackCommand({
        StackName: stackId,
        TemplateBody: readFileSync(join(ROOT, "infra/tenant-role.yaml"), "utf8"),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Parameters: Object.entries({ ...params, RegistrationToken: other.RegistrationToken }).map(
          ([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }),
        ),
      }),
    );
    expect((await describeStack(owner, stackId)).StackStatus).toBe("UPDATE_IN_PROGRESS");
    const update = await deliverNext();
    expect(update.ResourceProperties).toMatchObject({ RegistrationToken: other.RegistrationToken });
    expect((await describeStack(owner, stackId)).StackStatus).toBe("UPDATE_ROLLBACK_IN_PROGRESS");
    const rollback = await deliverNext();
    expect(rollback).toMatchObject({
      RequestType: "Update",
      ResourceProperties: { RegistrationToken: params.RegistrationToken },
      OldResourceProperties: { RegistrationToken: other.RegistrationToken },
    });
    expect((await describeStack(owner, stackId)).StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect((await account(tenant.tenantId, owner)).body).toMatchObject({
      status: "VERIFIED",
      roleArn: `arn:aws:iam::${owner}:role/CrossAccountControlPlaneAccess`,
      source: { stackId },
    });
    expect((await stackRecords(tenant.tenantId)).map((r) => r.code)).toEqual([
      "REGISTRATION_TOKEN_SPENT",
    ]);
  });

  it("a stack waiting for its Delete's answer keeps its name, as on AWS: found by it, not taken by a new stack", async () => {
    const { link: newLink } = await tenantWithLink("Deleting");
    const owner = "431155556666";
    const params = await newLink();
    const name = "CrossAccountControlPlaneAccess-deleting";
    const stackId = await launchTenantStack(owner, name, params);
    await deliverNext();
    await cfnAs(owner).send(new DeleteStackCommand({ StackName: name }));
    const byName = await cfnAs(owner).send(new DescribeStacksCommand({ StackName: name }));
    expect(byName.Stacks?.[0]).toMatchObject({
      StackId: stackId,
      StackStatus: "DELETE_IN_PROGRESS",
    });
    await expect(launchTenantStack(owner, name, await newLink())).rejects.toThrow(/already exists/);
    // A second DeleteStack while it waits changes nothing.
    await cfnAs(owner).send(new DeleteStackCommand({ StackName: name }));
    expect((await describeStack(owner, stackId)).StackStatus).toBe("DELETE_IN_PROGRESS");
    await deliverNext();
    expect((await describeStack(owner, stackId)).StackStatus).toBe("DELETE_COMPLETE");
    // Gone by name; the name is free again.
    await expect(cfnAs(owner).send(new DescribeStacksCommand({ StackName: name }))).rejects.toThrow(
      /does not exist/,
    );
  });

  it("a frozen account's stack can still be read to confirm its Delete; an unfrozen one's Delete deregisters it", async () => {
    const { tenant, tenantKey, link: newLink } = await tenantWithLink("Leaving");
    const [frozen, plain] = ["431122220000", "431122220001"];
    const stacks: Record<string, string> = {};
    for (const owner of [frozen, plain]) {
      stacks[owner] = await launch(owner, await newLink());
      await deliverNext();
    }
    const freeze = await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/accounts/${frozen}/freeze`,
      key: tenantKey,
    });
    expect(freeze.status).toBe(200);

    for (const owner of [frozen, plain]) {
      await cfnAs(owner).send(new DeleteStackCommand({ StackName: stacks[owner] }));
      // The stack waits, everything in place, for the custom resource's answer.
      expect((await describeStack(owner, stacks[owner] as string)).StackStatus).toBe(
        "DELETE_IN_PROGRESS",
      );
      await deliverNext();
      expect((await describeStack(owner, stacks[owner] as string)).StackStatus).toBe(
        "DELETE_COMPLETE",
      );
    }
    // Confirmed through the brake (no refusal on record); a frozen account stays until unfrozen.
    expect(await stackRecords(tenant.tenantId)).toEqual([]);
    expect((await account(tenant.tenantId, frozen)).body.frozen).toBeDefined();
    expect((await account(tenant.tenantId, plain)).status).toBe(404);
  });
});
