import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { DeleteStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publishTemplate } from "../../ops/publish-template";
import type { CustomResourceResponse } from "../../shared/events/custom-resource";
import { LOCAL_REGION, OPERATOR_CREDENTIALS, ROOT } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService } from "../support/brokering";
import { asFunction } from "../support/function-iam";
import { type RegistrationTopic, registrationTopic } from "../support/registration-topic";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import {
  createRole,
  deployTenantStack,
  launchTenantStack,
  sessionClientConfig,
  tenantCloudFormation,
  trustPolicy,
} from "../support/tenant-account";

/**
 * The onboarding path end to end on the emulator: a tenant fetches its link; the template the
 * link names (published to the emulator's S3) is deployed in the tenant's account with the link's
 * parameters; the custom resource's real event shape (SNS-wrapped, from fixture files) is
 * delivered to the registration function, and a local HTTP listener stands in for CloudFormation's
 * pre-signed ResponseURL. moto runs custom resources only through Lambda in Docker, so the stack
 * itself is deployed without the auto-registration inputs and the event is delivered by the test.
 */
const BUCKET = "cp-templates-e2e";
const TENANT_ACCOUNT = "444455556666";

type Answer = CustomResourceResponse;

let listener: Server;
let listenerOrigin: string;
let topic: RegistrationTopic;
let responseUrl: string;
const answers: Answer[] = [];
let table: string;
let admin: string;

function fixture(name: string) {
  return JSON.parse(readFileSync(join(ROOT, "test/fixtures/cloudformation", name), "utf8"));
}

function snsEvent(request: unknown): SNSEvent {
  const envelope = fixture("sns-event.json");
  envelope.Records[0].Sns.Message = JSON.stringify(request);
  return envelope;
}

/**
 * The next message the emulator's CloudFormation published, delivered with its answer passing
 * through this file's listener (recorded, then sent on to CloudFormation, so the stack goes on).
 */
async function deliverReal(): Promise<{ message: Record<string, unknown>; answer?: Answer }> {
  const { message } = await topic.next();
  const answer = await deliver({
    ...message,
    ResponseURL: `${listenerOrigin}/forward?to=${encodeURIComponent(String(message.ResponseURL))}`,
  });
  return { message, ...(answer ? { answer } : {}) };
}

async function deliver(request: Record<string, unknown>): Promise<Answer | undefined> {
  const before = answers.length;
  const { handler } = await import("../../functions/accounts/registration");
  await asFunction("registration", () => handler(snsEvent(request)));
  return answers.length > before ? answers[answers.length - 1] : undefined;
}

beforeAll(async () => {
  listener = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method === "PUT") answers.push(JSON.parse(body));
      // An answer to a message the emulator's CloudFormation sent goes on to it (see deliverReal).
      const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
      if (req.method !== "PUT" || !to) return void res.writeHead(200).end();
      void fetch(to, { method: "PUT", body }).then(
        () => res.writeHead(200).end(),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  responseUrl = `${origin}/cloudformation-response?X-Amz-Signature=abc`;
  // Loaded by the wiring on first use, so set before any handler runs.
  process.env.CUSTOM_RESOURCE_RESPONSE_ORIGINS = origin;
  listenerOrigin = origin;
  topic = await registrationTopic("cp-registration-onboarding");
  process.env.TEMPLATE_URL = `https://${BUCKET}.s3.${LOCAL_REGION}.amazonaws.com/tenant-role.yaml`;

  // The template bucket is the operator's, as the stack creates it on AWS.
  const s3 = new S3Client({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: OPERATOR_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await publishTemplate(s3, BUCKET);

  table = await useFreshTable("onboarding");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

afterAll(async () => {
  await topic.close();
  await new Promise<void>((r) => listener.close(() => r()));
});
beforeEach(() => {
  answers.length = 0;
});

async function tenantWithLink(name: string) {
  const tenant = (await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } }))
    .body;
  const tenantKey = (await seedKey(table, { role: "tenant", tenantId: tenant.tenantId })).secret;
  const link = await api({
    method: "POST",
    path: `/v1/tenants/${tenant.tenantId}/onboarding-links`,
    key: tenantKey,
    query: { region: "us-east-1" },
  });
  expect(link.status).toBe(201);
  return { tenant, tenantKey, link: link.body };
}

describe("onboarding through the CloudFormation link", () => {
  it("a link is created by POST: each one a new token, audited without it", async () => {
    const { tenant, tenantKey, link } = await tenantWithLink("Two links");
    const second = await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/onboarding-links`,
      key: tenantKey,
    });
    expect(second.status).toBe(201);
    expect(second.body.parameters.RegistrationToken).not.toBe(link.parameters.RegistrationToken);
    const trail = await api({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}/audit`,
      key: tenantKey,
    });
    const links = trail.body.items.filter(
      (r: { action?: string }) => r.action === "ONBOARDING_LINK",
    );
    expect(links).toHaveLength(2);
    expect(links[0]).toMatchObject({ keyRole: "tenant", tenantId: tenant.tenantId });
    // The trail never holds the token, nor anything derived from it.
    expect(JSON.stringify(trail.body)).not.toContain(link.parameters.RegistrationToken);
    expect(JSON.stringify(trail.body)).not.toContain(second.body.parameters.RegistrationToken);
  });

  it("link → stack in the tenant account → custom resource → VERIFIED; Delete → deregistered", async () => {
    const { tenant, tenantKey, link } = await tenantWithLink("Linked");

    // The link: the console's quick-create URL with every parameter, the current external ID among them.
    const fragment = new URL(link.quickCreateUrl).hash.slice("#/stacks/quickcreate?".length);
    const params = new URLSearchParams(fragment);
    expect(params.get("templateURL")).toBe(link.templateUrl);
    expect(params.get("param_ExternalId")).toBe(tenant.externalId);
    expect(params.get("param_ControlPlanePrincipalArn")).toBe(
      "arn:aws:iam::123456789012:role/control-plane/access/*",
    );
    expect(params.get("param_RegistrationToken")).toBe(link.parameters.RegistrationToken);
    expect(link.parameters.RegistrationToken).toMatch(/^crt_/);
    expect(Date.parse(link.registrationTokenExpiresAt) - Date.now()).toBeGreaterThan(
      6.9 * 24 * 3600 * 1000,
    );

    // The tenant admin launches it (the template read from S3, where the link points), with every
    // parameter of the link: its custom resource reports to the registration topic.
    const cfn = tenantCloudFormation(TENANT_ACCOUNT);
    const stackId = await launchTenantStack(
      TENANT_ACCOUNT,
      link.stackName,
      { ...link.parameters, RegistrationTopicArn: topic.topicArn },
      { templateUrl: link.templateUrl },
    );
    const status = async () =>
      (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.StackStatus;
    expect(await status()).toBe("CREATE_IN_PROGRESS");

    // The custom resource reports back.
    const { message: create, answer: created } = await deliverReal();
    const roleArn = `arn:aws:iam::${TENANT_ACCOUNT}:role/CrossAccountControlPlaneAccess`;
    expect(create).toMatchObject({
      RequestType: "Create",
      StackId: stackId,
      ResourceProperties: {
        RegistrationToken: link.parameters.RegistrationToken,
        AccountId: TENANT_ACCOUNT,
        RoleArn: roleArn,
        StackRegion: "us-east-1",
        TemplateVersion: "2",
      },
    });
    expect(created).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `cp-registration-${TENANT_ACCOUNT}`,
      StackId: stackId,
      RequestId: create.RequestId,
      LogicalResourceId: "Registration",
      Data: { AccountId: TENANT_ACCOUNT, Status: "VERIFIED" },
    });
    expect(await status()).toBe("CREATE_COMPLETE");
    const account = await api({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}/accounts/${TENANT_ACCOUNT}`,
      key: tenantKey,
    });
    expect(account.body).toMatchObject({
      status: "VERIFIED",
      roleArn,
      regions: ["us-east-1"],
      source: { kind: "cloudformation", stackId, templateVersion: 2 },
    });

    // The account registered through the onboarding path serves brokered sessions.
    const serviceKey = await grantedService(
      admin,
      tenant.tenantId,
      "onboarding-e2e",
      "onboarded-read",
    );
    const brokered = await api({
      method: "POST",
      path: "/v1/sessions",
      key: serviceKey,
      body: { tenantId: tenant.tenantId, accountId: TENANT_ACCOUNT },
    });
    expect(brokered.status).toBe(201);
    const identity = await new STSClient(sessionClientConfig(brokered.body.credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(
      `arn:aws:sts::${TENANT_ACCOUNT}:assumed-role/CrossAccountControlPlaneAccess/${brokered.body.sessionName}`,
    );
    expect(brokered.body.sessionName).toMatch(/^onboarding-e2e-/);

    // Another stack's Delete (same token, same account) does not deregister it.
    const foreign = await deliver({
      ...create,
      ResponseURL: responseUrl,
      RequestType: "Delete",
      PhysicalResourceId: created?.PhysicalResourceId,
      StackId: `arn:aws:cloudformation:us-east-1:${TENANT_ACCOUNT}:stack/Other/0000`,
      RequestId: "delete-0",
    });
    expect(foreign?.Status).toBe("SUCCESS");
    expect(
      (
        await api({
          method: "GET",
          path: `/v1/tenants/${tenant.tenantId}/accounts/${TENANT_ACCOUNT}`,
          key: tenantKey,
        })
      ).status,
    ).toBe(200);

    // Deleting the stack deregisters the account: the stack waits for the answer meanwhile.
    await cfn.send(new DeleteStackCommand({ StackName: stackId }));
    expect(await status()).toBe("DELETE_IN_PROGRESS");
    const { answer: deleted } = await deliverReal();
    expect(deleted).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `cp-registration-${TENANT_ACCOUNT}`,
    });
    expect(await status()).toBe("DELETE_COMPLETE");
    const gone = await api({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}/accounts/${TENANT_ACCOUNT}`,
      key: tenantKey,
    });
    expect(gone.status).toBe(404);
  });

  it("a bad token: FAILED with a reason, nothing stored; its rollback Delete still succeeds", async () => {
    await tenantWithLink("Tokenless");
    const before = await snapshot(table);
    const request = {
      ...fixture("custom-resource-request.json"),
      ResponseURL: responseUrl,
      ResourceProperties: {
        ...fixture("custom-resource-request.json").ResourceProperties,
        RegistrationToken: "crt_forged",
      },
    };
    const answer = await deliver(request);
    expect(answer).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^INVALID_REGISTRATION_TOKEN: /),
    });
    expect(await snapshot(table)).toEqual(before);
    const rollback = await deliver({
      ...request,
      RequestType: "Delete",
      PhysicalResourceId: answer?.PhysicalResourceId,
    });
    expect(rollback?.Status).toBe("SUCCESS");
  });

  it("a stack's messages never relabel or remove an account registered through the API", async () => {
    const { tenant, tenantKey, link } = await tenantWithLink("Manual");
    const accountId = "555566668888";
    const roleArn = await createRole(accountId, "Access", trustPolicy(tenant.externalId));
    const registered = await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/accounts`,
      key: tenantKey,
      body: { accountId, roleArn },
    });
    expect(registered.status).toBe(201);
    const madeUp = {
      ...fixture("custom-resource-request.json"),
      ResponseURL: responseUrl,
      StackId: `arn:aws:cloudformation:us-east-1:${accountId}:stack/Made-Up/1111`,
      PhysicalResourceId: `cp-registration-${accountId}`,
      ResourceProperties: {
        RegistrationToken: link.parameters.RegistrationToken,
        AccountId: accountId,
        RoleArn: roleArn,
        StackRegion: "us-east-1",
      },
    };
    // An Update with a token no stack has used yet: refused.
    expect(await deliver({ ...madeUp, RequestType: "Update" })).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^REGISTRATION_TOKEN_SPENT: /),
    });
    // A Create of a stack that does not exist is refused, and spends no token.
    expect(await deliver({ ...madeUp, RequestType: "Create" })).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^STACK_NOT_FOUND: /),
    });
    expect((await deliver({ ...madeUp, RequestType: "Delete" }))?.Status).toBe("SUCCESS");
    const after = await api({
      method: "GET",
      path: `/v1/tenants/${tenant.tenantId}/accounts/${accountId}`,
      key: tenantKey,
    });
    expect(after.status).toBe(200);
    expect(after.body.source).toEqual({ kind: "api" });

    // The genuine stack, created later from the same link, reaches registration (the token was
    // not spent), which refuses to take the account over; the stack rolls back.
    const cfn = tenantCloudFormation(accountId);
    const genuine = await launchTenantStack(
      accountId,
      "Genuine",
      { ...link.parameters, RegistrationTopicArn: topic.topicArn },
      { templateUrl: link.templateUrl },
    );
    expect((await deliverReal()).answer).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^ACCOUNT_ALREADY_REGISTERED: /),
    });
    // The rollback's Delete, confirmed by the stack, removes nothing that is not the stack's.
    expect((await deliverReal()).answer?.Status).toBe("SUCCESS");
    const rolledBack = await cfn.send(new DescribeStacksCommand({ StackName: genuine }));
    expect(rolledBack.Stacks?.[0]?.StackStatus).toBe("ROLLBACK_COMPLETE");
    expect(
      (
        await api({
          method: "GET",
          path: `/v1/tenants/${tenant.tenantId}/accounts/${accountId}`,
          key: tenantKey,
        })
      ).body.source,
    ).toEqual({ kind: "api" });
  });

  it("a token registers only for its own tenant", async () => {
    const a = await tenantWithLink("Owner");
    const b = await tenantWithLink("Other");
    // B's role trusts B's external ID; A's token must not register it, not even for A: the role
    // refuses A's external ID at AssumeRole, as IAM does.
    const stack = await deployTenantStack("555566667777", "OtherStack", {
      ExternalId: b.tenant.externalId,
      ControlPlanePrincipalArn: b.link.parameters.ControlPlanePrincipalArn,
    });
    const answer = await deliver({
      ...fixture("custom-resource-request.json"),
      ResponseURL: responseUrl,
      StackId: stack.stackId,
      ResourceProperties: {
        RegistrationToken: a.link.parameters.RegistrationToken,
        AccountId: "555566667777",
        RoleArn: stack.roleArn,
        StackRegion: "us-east-1",
      },
    });
    // The stack cannot even be read: the role refuses A's external ID, as IAM does.
    expect(answer).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^STACK_UNREADABLE: .*ACCESS_DENIED/),
    });
    for (const t of [a, b]) {
      const list = await api({
        method: "GET",
        path: `/v1/tenants/${t.tenant.tenantId}/accounts`,
        key: admin,
      });
      expect(list.body.items).toEqual([]);
    }
  });

  it("always answers a malformed request that says where to answer", async () => {
    const request = {
      ...fixture("custom-resource-request.json"),
      ResponseURL: responseUrl,
      RequestType: "Explode",
    };
    const answer = await deliver(request);
    expect(answer).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^INVALID_REQUEST/),
    });
  });
});
