import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganizationJobLink } from "../../shared/ports/organizations";
import { LOCAL_REGION } from "../../tools/local-aws/local-stack";
import { api } from "../support/api";
import { grantedService, otherTenantKey } from "../support/brokering";
import { captureEvents } from "../support/events";
import { asFunction } from "../support/function-iam";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import { CONTROL_PLANE_PATTERN, deployTenantStack, tenantAdmin } from "../support/tenant-account";

/**
 * A tenant's whole organization on the emulator: inside the management account an organization
 * with OUs and member accounts; the member role deployed (with each account's own credentials)
 * in some of them; connected through the API; then changed the way organizations change, and
 * synced. What moto cannot do: run the StackSet (it accepts the template and creates no
 * instances), so the member role is deployed account by account, as the StackSet would; and
 * run a Lambda function: the job function's asynchronous invocations are caught (Lambda's Invoke,
 * mocked) and run here, in order, each as an invocation of the job function under its own role.
 */
const MANAGEMENT = "930000000001";
const MEMBER_ROLE = "CrossAccountControlPlaneAccess";
let admin: string;
let tenantId: string;
let externalId: string;
let org: OrganizationsClient;
let root: string;
let ouA: string;
let ouA1: string;
let ouB: string;
const m: Record<string, string> = {};
let captured: Awaited<ReturnType<typeof captureEvents>>;
let table: string;

// Paced at 5 calls a second (1 in AWS), and a sync each time the schedule runs (every hour in AWS).
process.env.ORGANIZATION_CALLS_PER_SECOND = "5";
process.env.ORGANIZATION_SYNC_PERIOD_MINUTES = "0";
const lambda = mockClient(LambdaClient);
const links: OrganizationJobLink[] = [];
lambda
  .on(InvokeCommand)
  .callsFake((input: { FunctionName: string; Payload: Uint8Array | string }) => {
    expect(input.FunctionName).toMatch(/organizationJob$/);
    links.push(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8")));
    return { StatusCode: 202 };
  });
afterAll(() => lambda.restore());

/**
 * Runs the queued job links (and those they queue) as the job function, each invocation with
 * `remainingMs` (it keeps 30 s for its last save and the next link): the outcomes' log lines are
 * not checked, the job's record is.
 */
async function runJobs(remainingMs = 600_000): Promise<number> {
  const { handler } = await import("../../functions/organizations/organizationJob");
  let invocations = 0;
  for (let link = links.shift(); link; link = links.shift()) {
    invocations += 1;
    const current = link;
    await asFunction("organizationJob", () =>
      handler(current, {
        awsRequestId: `job-${invocations}`,
        getRemainingTimeInMillis: () => remainingMs,
      } as never),
    );
  }
  return invocations;
}

/** GET .../organizations as the admin. */
const read = async () =>
  (await api({ method: "GET", path: `/v1/tenants/${tenantId}/organizations`, key: admin })).body;

/** The schedule function, as EventBridge runs it. */
async function schedule() {
  const { handler } = await import("../../functions/organizations/syncOrgs");
  await asFunction("syncOrgs", () =>
    handler({}, { awsRequestId: "schedule", getRemainingTimeInMillis: () => 600_000 } as never),
  );
}

async function createMember(name: string, parent: string): Promise<string> {
  const out = await org.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
  );
  const id = out.CreateAccountStatus?.AccountId as string;
  if (parent !== root)
    await org.send(
      new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: parent }),
    );
  return id;
}

async function deployMemberRole(accountId: string) {
  await deployTenantStack(accountId, "ControlPlaneMemberRole", {
    ExternalId: externalId,
    ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
    RoleName: MEMBER_ROLE,
  });
}

/** POST .../organizations for this tenant's organization, as the admin. */
const connect = (organizationalUnitIds?: string[]) =>
  api({
    method: "POST",
    path: `/v1/tenants/${tenantId}/organizations`,
    key: admin,
    body: {
      managementAccountId: MANAGEMENT,
      managementRoleArn: `arn:aws:iam::${MANAGEMENT}:role/CrossAccountControlPlaneOrganizationReader`,
      memberRoleName: MEMBER_ROLE,
      ...(organizationalUnitIds ? { organizationalUnitIds } : {}),
    },
  });

async function account(accountId: string) {
  return (
    await api({ method: "GET", path: `/v1/tenants/${tenantId}/accounts/${accountId}`, key: admin })
  ).body;
}

beforeAll(async () => {
  table = await useFreshTable("organizations");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const t = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Org" } });
  tenantId = t.body.tenantId;
  externalId = t.body.externalId;
  captured = await captureEvents("Organization Account Changed", tenantId);

  org = new OrganizationsClient({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    credentials: await tenantAdmin(MANAGEMENT),
  });
  await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  root = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
  const ou = async (parent: string, name: string) =>
    (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name })))
      .OrganizationalUnit?.Id as string;
  ouA = await ou(root, "Workloads");
  ouA1 = await ou(ouA, "Prod"); // a child OU: included when ouA is chosen
  ouB = await ou(root, "Sandbox");

  m.a = await createMember("a", ouA); // role deployed
  m.a1 = await createMember("a1", ouA1); // role deployed, in the child OU
  m.noRole = await createMember("no-role", ouA); // no role: registration fails
  m.closed = await createMember("closed", ouA); // closed before connecting: skipped
  m.b = await createMember("b", ouB); // role deployed, outside the chosen OU
  m.top = await createMember("top", root); // role deployed, at the root
  for (const id of [m.a, m.a1, m.b, m.top]) await deployMemberRole(id as string);
  await org.send(new CloseAccountCommand({ AccountId: m.closed }));
}, 120_000);

describe("AWS Organizations on the emulator", () => {
  it("both templates deploy in the management account", async () => {
    const reader = await deployTenantStack(
      MANAGEMENT,
      "ControlPlaneOrganizationReader",
      { ExternalId: externalId, ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN },
      { templateFile: "infra/org-management-role.yaml" },
    );
    expect(reader.roleArn).toBe(
      `arn:aws:iam::${MANAGEMENT}:role/CrossAccountControlPlaneOrganizationReader`,
    );
    // moto accepts the StackSet template (and creates no instances: see the comment above).
    await deployTenantStack(
      MANAGEMENT,
      "ControlPlaneMemberRoles",
      {
        ExternalId: externalId,
        ControlPlanePrincipalArn: CONTROL_PLANE_PATTERN,
        MemberTemplateUrl: "https://example-bucket.s3.amazonaws.com/tenant-role.yaml",
        OrganizationalUnitIds: ouA,
      },
      { templateFile: "infra/org-member-stackset.yaml" },
    );
  });

  it("connect answers 202 with a job; the job registers the whole organization, the management account skipped", async () => {
    const res = await connect();
    expect(res.status).toBe(202);
    expect(res.body.job).toMatchObject({ kind: "CONNECT", status: "RUNNING", phase: "LISTING" });
    expect(res.body.organization).toMatchObject({
      managementAccountId: MANAGEMENT,
      job: { jobId: res.body.job.jobId },
    });
    expect(links).toEqual([{ tenantId, jobId: res.body.job.jobId }]);

    expect(await runJobs()).toBe(1);
    const organization = await read();
    expect(organization.job).toMatchObject({
      jobId: res.body.job.jobId,
      status: "SUCCEEDED",
      phase: "DONE",
      progress: { members: 6, registered: 4, failed: 1, skipped: 2, detached: 0, pending: 0 },
      failures: [{ accountId: m.noRole, code: "ACCESS_DENIED", message: expect.any(String) }],
    });
    expect(organization.lastSync).toMatchObject({ members: 6, registered: 4, failed: 1 });
    expect(await account(m.a as string)).toMatchObject({
      status: "VERIFIED",
      source: { kind: "organization", managementAccountId: MANAGEMENT },
    });
    expect((await account(MANAGEMENT)).error.code).toBe("ACCOUNT_NOT_FOUND");
    expect((await captured.drain()).map((e) => [e.accountId, e.change]).sort()).toEqual(
      [m.a, m.a1, m.b, m.top].map((id) => [id, "REGISTERED"]).sort(),
    );
  });

  it("connect again with chosen OUs: the job resumes across invocations, child OUs included, the rest detached", async () => {
    const res = await connect([ouA]);
    expect(res.status).toBe(202);
    // Half a second of work an invocation: the walk (5 calls at 5 a second) needs several.
    const invocations = await runJobs(30_500);
    expect(invocations).toBeGreaterThan(1);
    const { job } = await read();
    expect(job).toMatchObject({
      jobId: res.body.job.jobId,
      status: "SUCCEEDED",
      invocations,
      progress: { registered: 0, alreadyRegistered: 2, failed: 1, skipped: 1, detached: 2 },
    });
    expect(job.progress.calls).toBe(5); // ListAccounts, and ListChildren twice for ouA and ouA1
    expect(await account(m.b as string)).toMatchObject({
      status: "DETACHED",
      detached: { reason: "OUT_OF_SCOPE" },
    });
    expect((await account(m.top as string)).detached.reason).toBe("OUT_OF_SCOPE");
    expect(
      (await captured.drain()).map((e) => [e.accountId, e.change, e.reason ?? null]).sort(),
    ).toEqual(
      [
        [m.b, "DETACHED", "OUT_OF_SCOPE"],
        [m.top, "DETACHED", "OUT_OF_SCOPE"],
      ].sort(),
    );
  });

  it("the scheduled sync after the organization changed: new account registered, leavers detached", async () => {
    m.added = await createMember("added", ouA1);
    await deployMemberRole(m.added);
    await deployMemberRole(m.noRole as string); // fixed since: registered now
    await org.send(
      new MoveAccountCommand({ AccountId: m.a, SourceParentId: ouA, DestinationParentId: ouB }),
    );
    await org.send(new CloseAccountCommand({ AccountId: m.a1 }));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: m.b }));

    await schedule();
    expect(links).toHaveLength(1);
    await runJobs();
    const { job, lastSync } = await read();
    expect(job).toMatchObject({
      kind: "SYNC",
      status: "SUCCEEDED",
      progress: { registered: 2, alreadyRegistered: 0, failed: 0, skipped: 2, detached: 2 },
      failures: [],
    });
    expect(lastSync).toMatchObject({ registered: 2, detached: 2 });
    // m.b left the organization while already detached (out of scope): nothing more to do.
    expect((await account(m.b as string)).detached.reason).toBe("OUT_OF_SCOPE");
    expect((await account(m.a1 as string)).detached.reason).toBe("SUSPENDED");
    expect(
      (await captured.drain()).map((e) => [e.accountId, e.change, e.reason ?? null]).sort(),
    ).toEqual(
      [
        [m.added, "REGISTERED", null],
        [m.noRole, "REGISTERED", null],
        [m.a, "DETACHED", "OUT_OF_SCOPE"],
        [m.a1, "DETACHED", "SUSPENDED"],
      ].sort(),
    );
  });

  it("a second sync with no changes writes nothing but its own job record", async () => {
    const outsideTheJob = async () =>
      (await snapshot(table)).filter((item) => !item.includes('"SK":{"S":"ORGJOB'));
    const before = await outsideTheJob();
    await schedule();
    await runJobs();
    const { job } = await read();
    expect(job).toMatchObject({
      kind: "SYNC",
      status: "SUCCEEDED",
      progress: { registered: 0, alreadyRegistered: 2, detached: 0 },
    });
    // No account, no audit record, no connection change, no event.
    expect(await outsideTheJob()).toEqual(before);
    expect(await captured.drain()).toEqual([]);
  });

  it("a detached account is never brokered; a registered member is", async () => {
    const key = await grantedService(admin, tenantId, "org-reader");
    const session = (accountId: string) =>
      api({ method: "POST", path: "/v1/sessions", key, body: { tenantId, accountId } });
    const refused = await session(m.a as string);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("ACCOUNT_UNAVAILABLE");
    expect((await session(m.added as string)).status).toBe(201);
  });

  it("disconnect: syncing stops, accounts stay unless removeAccounts=true", async () => {
    const nosy = await otherTenantKey(admin);
    expect(
      (await api({ method: "GET", path: `/v1/tenants/${tenantId}/organizations`, key: nosy }))
        .status,
    ).toBe(404);
    const gone = await api({
      method: "DELETE",
      path: `/v1/tenants/${tenantId}/organizations`,
      key: admin,
      query: { removeAccounts: "true" },
    });
    expect(gone.status).toBe(204);
    expect(
      (await api({ method: "GET", path: `/v1/tenants/${tenantId}/organizations`, key: admin })).body
        .error.code,
    ).toBe("ORGANIZATION_NOT_CONNECTED");
    const left = await api({ method: "GET", path: `/v1/tenants/${tenantId}/accounts`, key: admin });
    expect(left.body.items).toEqual([]);
  });
});
