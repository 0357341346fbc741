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
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_REGION } from "../../scripts/local-stack";
import { DynamoOrganizationStore } from "../../shared/adapters/dynamo-organization-store";
import { systemActor } from "../../shared/domain/audit";
import { organizationService } from "../../shared/wiring/organizations";
import { api } from "../support/api";
import { grantedService, otherTenantKey } from "../support/brokering";
import { captureEvents } from "../support/events";
import { asFunction } from "../support/function-iam";
import { seedKey, useFreshTable } from "../support/table";
import { CONTROL_PLANE_PATTERN, deployTenantStack, tenantAdmin } from "../support/tenant-account";

/**
 * A tenant's whole organization on the emulator: inside the management account an organization
 * with OUs and member accounts; the member role deployed (with each account's own credentials)
 * in some of them; connected through the API; then changed the way organizations change, and
 * synced. What moto cannot do: run the StackSet (it accepts the template and creates no
 * instances), so the member role is deployed account by account, as the StackSet would.
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

const ids = (xs: { accountId: string }[]) => xs.map((x) => x.accountId).sort();
const sorted = <T extends { accountId: string }>(xs: T[]) =>
  [...xs].sort((a, b) => a.accountId.localeCompare(b.accountId));

async function account(accountId: string) {
  return (
    await api({ method: "GET", path: `/v1/tenants/${tenantId}/accounts/${accountId}`, key: admin })
  ).body;
}

beforeAll(async () => {
  const table = await useFreshTable("organizations");
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

  it("connect: the whole organization, the management account skipped", async () => {
    const res = await connect();
    expect(res.status).toBe(201);
    const role = (id: string) => `arn:aws:iam::${id}:role/${MEMBER_ROLE}`;
    expect(res.body.report).toEqual({
      registered: sorted(
        [m.a, m.a1, m.b, m.top].map((id) => ({
          accountId: id as string,
          roleArn: role(id as string),
        })),
      ),
      alreadyRegistered: [],
      failed: [
        {
          accountId: m.noRole,
          code: "ACCESS_DENIED",
          message: expect.any(String),
        },
      ],
      skipped: expect.arrayContaining([
        { accountId: MANAGEMENT, reason: "MANAGEMENT_ACCOUNT" },
        { accountId: m.closed, reason: "SUSPENDED" },
      ]),
      detached: [],
      pending: [],
    });
    expect(res.body.report.skipped).toHaveLength(2);
    expect(res.body.organization).toMatchObject({
      managementAccountId: MANAGEMENT,
      memberRoleName: MEMBER_ROLE,
      lastSync: { members: 6, registered: 4, failed: 1, skipped: 2, detached: 0, pending: 0 },
    });
    expect(await account(m.a as string)).toMatchObject({
      status: "VERIFIED",
      source: { kind: "organization", managementAccountId: MANAGEMENT },
    });
    expect((await captured.drain()).map((e) => [e.accountId, e.change]).sort()).toEqual(
      [m.a, m.a1, m.b, m.top].map((id) => [id, "REGISTERED"]).sort(),
    );
  });

  it("connect again with chosen OUs: idempotent, child OUs included, the rest detached", async () => {
    const res = await connect([ouA]);
    expect(res.status).toBe(200);
    expect(res.body.report).toEqual({
      registered: [],
      alreadyRegistered: ids([{ accountId: m.a as string }, { accountId: m.a1 as string }]).map(
        (accountId) => ({ accountId }),
      ),
      failed: [{ accountId: m.noRole, code: "ACCESS_DENIED", message: expect.any(String) }],
      skipped: [{ accountId: m.closed, reason: "SUSPENDED" }],
      detached: sorted([
        { accountId: m.b as string, reason: "OUT_OF_SCOPE" },
        { accountId: m.top as string, reason: "OUT_OF_SCOPE" },
      ]),
      pending: [],
    });
    expect(await account(m.b as string)).toMatchObject({
      status: "DETACHED",
      detached: { reason: "OUT_OF_SCOPE" },
    });
    await captured.drain();
  });

  it("sync after the organization changed: new account registered, leavers detached", async () => {
    m.added = await createMember("added", ouA1);
    await deployMemberRole(m.added);
    await deployMemberRole(m.noRole as string); // fixed since: registered now
    await org.send(
      new MoveAccountCommand({ AccountId: m.a, SourceParentId: ouA, DestinationParentId: ouB }),
    );
    await org.send(new CloseAccountCommand({ AccountId: m.a1 }));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: m.b }));

    const connection = await new DynamoOrganizationStore(
      // biome-ignore lint/suspicious/noExplicitAny: the same document client the service uses
      (await import("../../shared/wiring/common")).documentClient() as any,
      process.env.TABLE_NAME as string,
    ).get(tenantId);
    const report = await organizationService().sync(
      connection as NonNullable<typeof connection>,
      Number.MAX_SAFE_INTEGER,
      systemActor("sync-test", "organization-sync"),
    );
    expect(report).toEqual({
      registered: sorted([
        { accountId: m.added, roleArn: `arn:aws:iam::${m.added}:role/${MEMBER_ROLE}` },
        { accountId: m.noRole as string, roleArn: `arn:aws:iam::${m.noRole}:role/${MEMBER_ROLE}` },
      ]),
      alreadyRegistered: [],
      failed: [],
      skipped: sorted([
        { accountId: m.closed as string, reason: "SUSPENDED" },
        { accountId: m.a1 as string, reason: "SUSPENDED" },
      ]),
      detached: sorted([
        { accountId: m.a as string, reason: "OUT_OF_SCOPE" },
        { accountId: m.a1 as string, reason: "SUSPENDED" },
      ]),
      pending: [],
    });
    // m.b left the organization while already detached (out of scope): nothing more to do.
    expect((await account(m.b as string)).detached.reason).toBe("OUT_OF_SCOPE");
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

    // The scheduled function does the same for every connected organization: nothing changed since.
    const { handler } = await import("../../functions/organizations/syncOrgs");
    await asFunction("syncOrgs", () =>
      handler({}, { getRemainingTimeInMillis: () => 600_000 } as never),
    );
    expect(await captured.drain()).toEqual([]);
    const read = await api({
      method: "GET",
      path: `/v1/tenants/${tenantId}/organizations`,
      key: admin,
    });
    expect(read.status).toBe(200);
    expect(read.body.lastSync).toMatchObject({ registered: 0, detached: 0, alreadyRegistered: 2 });
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
