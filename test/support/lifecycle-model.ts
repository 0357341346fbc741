/**
 * The account lifecycle's model-based test (fast-check `fc.commands`): random sequences of the
 * lifecycle's events, sent through the real services, with the lifecycle's invariants checked
 * after every step. The same commands run on in-memory ports (test/unit/model) and, shorter, on
 * the emulator's DynamoDB (test/integration/lifecycle-model.test.ts). AWS itself (STS, IAM,
 * Organizations) is a fake here: the point is what the control plane's own rules allow.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { Account } from "../../shared/domain/account";
import { type Actor, type AuditRecord, systemActor } from "../../shared/domain/audit";
import { RoleAccessError } from "../../shared/domain/errors";
import type { OrganizationConnection } from "../../shared/domain/organization";
import type { OrganizationJob } from "../../shared/domain/organization-job";
import type { Tenant } from "../../shared/domain/tenant";
import type {
  AccountStore,
  AssumeRoleRequest,
  RegistrationTokenStore,
} from "../../shared/ports/accounts";
import type { BrokerStore, GrantStore, PermissionSetStore } from "../../shared/ports/brokering";
import type { AuditStore } from "../../shared/ports/common";
import type { OrganizationJobStore, OrganizationStore } from "../../shared/ports/organizations";
import type { RotationAccountReader, TenantStore } from "../../shared/ports/tenants";
import { AccountService } from "../../shared/services/account-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { EmergencyBrake } from "../../shared/services/emergency-brake";
import { ExternalIdRotation } from "../../shared/services/external-id-rotation";
import { hashRegistrationToken } from "../../shared/services/onboarding-service";
import { OrganizationJobs } from "../../shared/services/organization-job";
import { OrganizationJobStarter } from "../../shared/services/organization-job-starter";
import { OrganizationRecords } from "../../shared/services/organization-records";
import { OrganizationService } from "../../shared/services/organization-service";
import { RegistrationService } from "../../shared/services/registration-service";
import type { RoleVerifier } from "../../shared/services/role-verifier";
import { type BrokeredSession, SessionBroker } from "../../shared/services/session-broker";
import { SessionCache } from "../../shared/services/session-cache";
import type { StackConfirmation } from "../../shared/services/stack-confirmation";
import { TenantService } from "../../shared/services/tenant-service";
import { drainJobs, QueuedLinks } from "../../tools/local-aws/queued-jobs";
import { ManualClock, SequenceRandom } from "./fakes";

/** The ports a run needs, and how to see everything of one tenant that remains. */
export interface ModelPorts {
  tenants: TenantStore;
  /** The rotation rule's read of the tenant's accounts. */
  rotationAccounts: RotationAccountReader;
  accounts: AccountStore;
  tokens: RegistrationTokenStore;
  organizations: OrganizationStore;
  jobs: OrganizationJobStore;
  audit: AuditStore;
  grants: GrantStore;
  permissionSets: PermissionSetStore;
  broker: BrokerStore;
  /** Everything stored about the tenant except its audit trail (empty once it is deleted). */
  remains(tenantId: string): Promise<string[]>;
}

/**
 * Two tenant accounts (few, so that events meet on the same account often), two stacks that may
 * run in each, one organization.
 */
export const ACCOUNTS = ["111111111111", "222222222222"] as const;
const MANAGEMENT = "999999999999";
const STACKS = [0, 1] as const;
const RESPONSE_ORIGIN = "http://127.0.0.1:9";

const stackId = (accountId: string, n: number) =>
  `arn:aws:cloudformation:us-east-1:${accountId}:stack/CrossAccountControlPlaneAccess-${n}/0000${n}`;
const roleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/Access`;

export interface World {
  tenantId: string;
  /** One registration token per (account, stack): what a stack's parameters carry. */
  tokenOf(accountId: string, n: number): string;
  clock: ManualClock;
  ports: ModelPorts;
  tenants: TenantService;
  rotation: ExternalIdRotation;
  accounts: AccountService;
  registration: RegistrationService;
  brake: EmergencyBrake;
  broker: SessionBroker;
  organizations: {
    service: OrganizationService;
    jobs: OrganizationJobs;
    starter: OrganizationJobStarter;
    records: OrganizationRecords;
    /** The jobs' links, run in the command that queued them. */
    links: QueuedLinks;
  };
  /** Whether each account's role lets the control plane in (verification succeeds). */
  roleWorks: Map<string, boolean>;
  /**
   * The external ID each account's stack carries, the only one its role's trust policy accepts
   * (every AssumeRole of the run, verification, session and brake, checks it). It moves only when
   * the tenant updates the stack, to the current ID.
   */
  trusts: Map<string, string>;
  /** The organization's ACTIVE members (besides its management account). */
  members: Set<string>;
  requests: number;
}

/** What the model keeps: only what the real system cannot tell us about itself. */
export interface Model {
  tenantDeleted: boolean;
  /** A rotation was forced: from then on an account may be cut off (stranded), on the record. */
  forced: boolean;
}

/**
 * The IDs a trust policy can still use: the current one and the previous one. (The run's overlap is
 * 30 days, far longer than any run's clock moves, so the previous one never expires here: what
 * strands an account in a run is a rotation, never the clock.)
 */
function usableIds(tenant: Tenant | undefined): string[] {
  if (!tenant) return [];
  const { current, previous } = tenant.externalId;
  return previous === undefined ? [current] : [current, previous];
}

/** The accounts whose role trusts none of the tenant's usable IDs. */
function cutOffAccounts(w: World, tenant: Tenant | undefined, accounts: Map<string, Account>) {
  const usable = usableIds(tenant);
  return [...accounts.values()].filter(
    (a) => !usable.includes(w.trusts.get(a.accountId) as string),
  );
}

/**
 * Those of them that are registered (not DETACHED): stranded. A DETACHED account holds no rotation
 * back (it is never brokered or checked, and is verified from scratch when registered again), so
 * rotations may cut it off; its brake then answers 502 until it is registered again.
 */
function strandedAccounts(w: World, tenant: Tenant | undefined, accounts: Map<string, Account>) {
  return cutOffAccounts(w, tenant, accounts)
    .filter((a) => a.status !== "DETACHED")
    .map((a) => a.accountId);
}

export async function buildWorld(ports: ModelPorts): Promise<World> {
  const clock = new ManualClock();
  const trail = new AuditTrail({ audit: ports.audit, clock });
  const roleWorks = new Map<string, boolean>(ACCOUNTS.map((a) => [a, true]));
  roleWorks.set(MANAGEMENT, true);
  // Both accounts start in the organization; they leave and come back as the run goes.
  const members = new Set<string>(ACCOUNTS);
  const tenants = new TenantService({
    tenants: ports.tenants,
    trail,
    clock,
    random: new SequenceRandom(),
  });
  const rotation = new ExternalIdRotation({
    tenants: ports.tenants,
    accounts: ports.rotationAccounts,
    trail,
    clock,
    random: new SequenceRandom(),
    externalIdOverlapSeconds: 30 * 86400,
  });
  // The stacks' external IDs (set below, once the tenant exists). The management account's role is
  // not modelled: it accepts any of the tenant's IDs.
  const trusts = new Map<string, string>();
  /** The ID the account's role accepts among those presented, in the order presented. */
  const accepts = (accountId: string, presented: readonly (string | undefined)[]) => {
    const trusted = trusts.get(accountId);
    return trusted === undefined ? presented[0] : presented.find((id) => id === trusted);
  };
  const verifier = {
    verify: async (input: { accountId: string; externalIds: readonly string[] }) => {
      const at = clock.now().toISOString();
      const externalId = accepts(input.accountId, input.externalIds);
      return roleWorks.get(input.accountId) && externalId !== undefined
        ? { ok: true, at, attempts: 1, externalId }
        : {
            ok: false,
            at,
            attempts: 1,
            failure: { code: "ACCESS_DENIED", message: "AssumeRole was denied" },
          };
    },
  } as unknown as RoleVerifier;
  const accounts = new AccountService({
    accounts: ports.accounts,
    tenants,
    verifier,
    trail,
    clock,
    partition: "aws",
    controlPlaneAccountId: "123456789012",
    regions: { isKnown: () => true, partitionOf: () => "aws" },
  });
  const registration = new RegistrationService({
    accounts,
    tokens: ports.tokens,
    responder: { send: async () => undefined },
    trail,
    clock,
    extraResponseOrigins: [RESPONSE_ORIGIN],
    tenants: ports.tenants,
    // The model's stacks send their own messages: every one is confirmed (forged messages are
    // test/unit/services/registration-service.test.ts's and the onboarding suite's).
    confirmation: { confirm: async () => ({ ok: true }) } as unknown as StackConfirmation,
    confirmRetryBudgetMs: 0,
  });
  const session = async (request: AssumeRoleRequest) => {
    // STS refuses an external ID the role's trust policy does not hold (AccessDenied).
    const accountId = request.roleArn.split(":")[4] as string;
    if (accepts(accountId, [request.externalId]) === undefined)
      throw new RoleAccessError("ACCESS_DENIED", `not authorized to assume ${request.roleArn}`);
    return {
      accessKeyId: "ASIA",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(clock.now().getTime() + 3600_000),
    };
  };
  // IAM as the brake sees it: which roles have which managed policies attached.
  const attached = new Map<string, Set<string>>();
  const policies = (role: string) => attached.get(role) ?? attached.set(role, new Set()).get(role);
  const brake = new EmergencyBrake({
    accounts: ports.accounts,
    tenants,
    gateway: { assumeRole: session },
    brakes: {
      attach: async (_c, role, arn) => void policies(role)?.add(arn),
      detach: async (_c, role, arn) => void policies(role)?.delete(arn),
      attached: async (_c, role) => [...(policies(role) ?? [])],
      rewritePolicy: async () => undefined,
    },
    audit: ports.audit,
    clock,
    region: "us-east-1",
  });
  const broker = new SessionBroker({
    store: ports.broker,
    permissionSets: ports.permissionSets,
    accounts: ports.accounts,
    audit: ports.audit,
    gateway: { assumeRole: session },
    cache: new SessionCache<BrokeredSession & { expiration: Date }>(),
    clock,
    defaultRegion: "us-east-1",
  });
  const gateway = {
    assumeRole: session,
    callerIdentity: async () => ({ account: "", arn: "" }),
    roleTrustPolicy: async () => ({}),
  };
  const random = new SequenceRandom();
  const starter = new OrganizationJobStarter({ jobs: ports.jobs, clock, random });
  const organizations = {
    service: new OrganizationService({
      organizations: ports.organizations,
      members: accounts,
      trail,
      tenants,
      verifier,
      gateway,
      organizationsApi: {
        describe: async () => ({ organizationId: "o-model", managementAccountId: MANAGEMENT }),
      },
      jobs: starter,
      launcher: { launch: async () => undefined },
      clock,
      region: "us-east-1",
    }),
    jobs: new OrganizationJobs({
      jobs: ports.jobs,
      organizations: ports.organizations,
      accounts: ports.accounts,
      members: accounts,
      trail,
      tenants,
      gateway,
      // The whole organization: one page of ListAccounts.
      pages: {
        accountsPage: async () => ({
          members: [
            { accountId: MANAGEMENT, state: "ACTIVE" },
            ...[...members].map((accountId) => ({ accountId, state: "ACTIVE" })),
          ],
        }),
        childrenPage: async () => ({ ids: [] }),
      },
      publish: async () => undefined,
      clock,
      sleep: async (ms) => clock.advance(ms),
      random,
      concurrency: 2,
      callsPerSecond: 1000,
      partition: "aws",
      region: "us-east-1",
    }),
    starter,
    records: new OrganizationRecords({
      organizations: ports.organizations,
      jobs: ports.jobs,
      accounts: ports.accounts,
      tenants,
      trail,
      clock,
    }),
    links: new QueuedLinks(),
  };

  const admin: Actor = { requestId: "setup", keyId: "key_admin", keyRole: "admin" };
  const tenant = await tenants.create("Model", admin);
  // Every stack is launched with the tenant's first external ID.
  for (const accountId of ACCOUNTS) trusts.set(accountId, tenant.externalId.current);
  const tokens = new Map<string, string>();
  for (const accountId of ACCOUNTS)
    for (const n of STACKS) {
      const token = `crt_model_${accountId}_${n}`;
      tokens.set(`${accountId}/${n}`, token);
      await ports.tokens.create(
        hashRegistrationToken(token),
        {
          tenantId: tenant.tenantId,
          validUntil: new Date(clock.now().getTime() + 7 * 86400_000).toISOString(),
          createdAt: clock.now().toISOString(),
        },
        new Date(clock.now().getTime() + 30 * 86400_000),
      );
    }
  await ports.permissionSets.put({
    name: "ReadOnly",
    policy:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}',
    createdAt: "x",
    updatedAt: "x",
  });
  await ports.grants.create({
    grantId: "grt_model",
    service: "billing",
    tenantId: tenant.tenantId,
    permissionSets: ["ReadOnly"],
    maxDurationSeconds: 3600,
    createdAt: "x",
  });
  return {
    tenantId: tenant.tenantId,
    tokenOf: (accountId, n) => tokens.get(`${accountId}/${n}`) as string,
    clock,
    ports,
    tenants,
    rotation,
    accounts,
    registration,
    brake,
    broker,
    organizations,
    roleWorks,
    trusts,
    members,
    requests: 0,
  };
}

// ---- What is observed before and after each step ---------------------------------------------

interface Observed {
  tenant?: Tenant;
  accounts: Map<string, Account>;
  organization?: OrganizationConnection;
  /** The organization's latest job. */
  job?: OrganizationJob;
  records: AuditRecord[];
}

async function allPages<T>(
  read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

function accountsOf(w: World): Promise<Account[]> {
  return allPages((cursor) =>
    w.ports.accounts.list(w.tenantId, { limit: 100, ...(cursor ? { cursor } : {}) }),
  );
}

async function observe(w: World): Promise<Observed> {
  const { ports, tenantId } = w;
  const accounts = await accountsOf(w);
  const tenantTrail = await allPages((cursor) =>
    ports.audit.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) }),
  );
  const platformTrail = await allPages((cursor) =>
    ports.audit.listPlatform({ limit: 100, ...(cursor ? { cursor } : {}) }),
  );
  const tenant = await ports.tenants.get(tenantId);
  const organization = await ports.organizations.get(tenantId);
  const job = await ports.jobs.get(tenantId);
  return {
    ...(tenant ? { tenant } : {}),
    accounts: new Map(accounts.map((a) => [a.accountId, a])),
    ...(organization ? { organization } : {}),
    ...(job ? { job } : {}),
    records: [...tenantTrail, ...platformTrail],
  };
}

/** An account as the lifecycle sees it: without what changes with no lifecycle meaning. */
function essence(a: Account | undefined): string | undefined {
  if (!a) return undefined;
  const { acceptedExternalId: _e, ...rest } = a;
  return JSON.stringify(rest);
}

const CHANGE_OUTCOMES = new Set(["SUCCEEDED", "APPLIED", "RELEASED"]);

/** The records that say something changed (a failed verification changes the account too). */
function changeRecords(records: AuditRecord[]): AuditRecord[] {
  return records.filter(
    (r) =>
      r.action !== "SESSION" &&
      (CHANGE_OUTCOMES.has(r.outcome) || (r.action === "ACCOUNT_VERIFY" && r.outcome === "FAILED")),
  );
}

function newRecords(before: Observed, after: Observed): AuditRecord[] {
  const seen = new Set(before.records.map((r) => JSON.stringify(r)));
  return after.records.filter((r) => !seen.has(JSON.stringify(r)));
}

/** The invariants that hold after every step, whatever it was. */
async function checkInvariants(
  w: World,
  model: Model,
  before: Observed,
  after: Observed,
  step: StepEffects & { label: string },
) {
  const where = `after ${step.label}`;
  // Nothing of a deleted tenant remains except its audit.
  if (model.tenantDeleted) {
    expect(await w.ports.remains(w.tenantId), where).toEqual([]);
    return;
  }
  // No account is stranded without force: after a rotation that was not forced, every registered
  // account's role still trusts one of the tenant's usable IDs (it was seen on the current one
  // before, so its stack carries the new previous one, or a newer one).
  if ((step.rotations ?? 0) > 0 && !step.forced) {
    expect(strandedAccounts(w, after.tenant, after.accounts), `${where}: stranded`).toEqual([]);
  }
  // Nor by any other step: only a rotation takes an ID away.
  if ((step.rotations ?? 0) === 0) {
    const was = new Set(strandedAccounts(w, before.tenant, before.accounts));
    for (const id of strandedAccounts(w, after.tenant, after.accounts))
      expect(was.has(id) || before.accounts.get(id)?.status === "DETACHED", `${where}: ${id}`).toBe(
        true,
      );
  }
  for (const [accountId, was] of before.accounts) {
    const now = after.accounts.get(accountId);
    // A frozen account leaves the frozen state only by unfreeze.
    if (was.frozen && step.unfroze !== accountId) {
      expect(now, `${where}: frozen ${accountId} removed`).toBeDefined();
      expect(now?.frozen, `${where}: frozen ${accountId} thawed`).toEqual(was.frozen);
    }
  }
  // A stack message changes only accounts of its own stack.
  if (step.stack !== undefined) {
    const ids = new Set([...before.accounts.keys(), ...after.accounts.keys()]);
    for (const accountId of ids) {
      const was = before.accounts.get(accountId);
      const now = after.accounts.get(accountId);
      if (essence(was) === essence(now)) continue;
      const owner = (was ?? now)?.source;
      expect(owner, `${where}: ${accountId} changed by another stack`).toMatchObject({
        kind: "cloudformation",
        stackId: step.stack,
      });
      if (was) expect(was.source.stackId, where).toBe(step.stack);
    }
  }
  // Every state change writes one audit record.
  const ids = new Set([...before.accounts.keys(), ...after.accounts.keys()]);
  let changes = [...ids].filter(
    (id) => essence(before.accounts.get(id)) !== essence(after.accounts.get(id)),
  ).length;
  // Each rotation of a burst has its own record.
  if (JSON.stringify(before.tenant) !== JSON.stringify(after.tenant))
    changes += step.rotations ?? 1;
  if (JSON.stringify(before.organization) !== JSON.stringify(after.organization)) changes += 1;
  // An organization job that changed accounts ends with one ORGANIZATION_SYNC summary (a job
  // that changed nothing writes none).
  const job = after.job;
  if (
    job?.status === "SUCCEEDED" &&
    (job.jobId !== before.job?.jobId || before.job?.status !== "SUCCEEDED") &&
    job.progress.registered + job.progress.detached > 0
  )
    changes += 1;
  const fresh = newRecords(before, after);
  const records = [
    ...changeRecords(fresh),
    // A session AWS refused marks its account FAILED: the session's record stands for that change.
    ...fresh.filter(
      (r) =>
        step.denied !== undefined &&
        r.accountId === step.denied &&
        r.outcome === "FAILED" &&
        r.code === "TENANT_ROLE_DENIED",
    ),
  ];
  // An organization's connect changes its connection and the job its accounts; each account
  // change has its own record, the connection's change is the connect record.
  expect(records.length, `${where}: ${JSON.stringify(records.map((r) => r.action))}`).toBe(changes);
  for (const r of records) {
    expect(r.keyId, where).toBeTruthy();
    expect(r.keyRole, where).toBeTruthy();
  }
}

// ---- Commands ----------------------------------------------------------------------------------

/** What a step reports about itself, for the invariants. */
interface StepEffects {
  unfroze?: string;
  stack?: string;
  /** How many rotations succeeded, and whether they were forced. */
  rotations?: number;
  forced?: boolean;
  /** The account a session was refused for by AWS (TENANT_ROLE_DENIED). */
  denied?: string;
}

type Step = (w: World, model: Model, actor: Actor) => Promise<StepEffects>;

class LifecycleCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly label: string,
    private readonly step: Step,
  ) {}
  check() {
    return true;
  }
  async run(model: Model, w: World) {
    w.requests += 1;
    w.clock.advance(1000);
    const actor: Actor = { requestId: `req-${w.requests}`, keyId: "key_tenant", keyRole: "tenant" };
    const before = await observe(w);
    const cutOff = cutOffAccounts(w, before.tenant, before.accounts);
    let effects: StepEffects = {};
    try {
      effects = await this.step(w, model, actor);
      if (process.env.MODEL_DEBUG) console.log("ok", this.label);
    } catch (err) {
      if (process.env.MODEL_DEBUG) console.log("refused", this.label, (err as Error).message);
      // Refusals are answers (4xx); anything else is a defect the run reports. The one exception:
      // AWS refusing the control plane (502) while an account is cut off (the invariants below
      // say which may be: DETACHED ones, and others only after a forced rotation).
      const status = (err as { status?: number }).status;
      const refusedByAws = status === 502 && cutOff.length > 0;
      if (!refusedByAws && (status === undefined || status >= 500)) throw err;
    }
    const after = await observe(w);
    await checkInvariants(w, model, before, after, { ...effects, label: this.label });
  }
  toString() {
    return this.label;
  }
}

const account = fc.constantFrom(...ACCOUNTS);
const stack = fc.constantFrom(...STACKS);

/** A stack's message, as SNS delivers it; the stack may present another stack's token. */
function stackMessage(
  type: "Create" | "Update" | "Delete",
  accountId: string,
  n: number,
  tokenOf: { accountId: string; n: number },
) {
  return async (w: World) => {
    const id = stackId(accountId, n);
    const outcome = await w.registration.handle(
      JSON.stringify({
        RequestType: type,
        ResponseURL: `${RESPONSE_ORIGIN}/response`,
        StackId: id,
        RequestId: `cfn-${w.requests}`,
        LogicalResourceId: "Registration",
        ResourceType: "Custom::Registration",
        ...(type === "Create" ? {} : { PhysicalResourceId: `cp-registration-${accountId}` }),
        ResourceProperties: {
          ServiceToken: "arn:aws:sns:us-east-1:123456789012:registration",
          RegistrationToken: w.tokenOf(tokenOf.accountId, tokenOf.n),
          AccountId: accountId,
          RoleArn: roleArn(accountId),
        },
      }),
    );
    // Every message is answered where CloudFormation listens (a stack never hangs).
    expect(outcome.answered, `${type} ${id}: ${outcome.reason}`).toBe(true);
    if (process.env.MODEL_DEBUG) console.log("stack", type, id, outcome.status, outcome.reason);
    return { stack: id };
  };
}

const deleteTenant = new LifecycleCommand("delete the tenant", async (w, model, actor) => {
  const exists = (await w.ports.tenants.get(w.tenantId)) !== undefined;
  await w.tenants.delete(w.tenantId, actor);
  if (exists) model.tenantDeleted = true;
  return {};
});

export const lifecycleCommands = [
  account.map(
    (a) =>
      new LifecycleCommand(`register ${a}`, async (w, _m, actor) => {
        await w.accounts.register(
          w.tenantId,
          { accountId: a, roleArn: roleArn(a) },
          { kind: "api" },
          actor,
        );
        return {};
      }),
  ),
  fc.tuple(account, fc.constantFrom(["us-east-1"], ["eu-west-1", "us-east-1"])).map(
    ([a, regions]) =>
      new LifecycleCommand(`patch ${a} ${regions}`, async (w, _m, actor) => {
        await w.accounts.update(w.tenantId, a, { regions: [...regions] }, actor);
        return {};
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`verify ${a}`, async (w, _m, actor) => {
        await w.accounts.verify(w.tenantId, a, actor);
        return {};
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`delete ${a}`, async (w, _m, actor) => {
        await w.accounts.delete(w.tenantId, a, actor);
        return {};
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`freeze ${a}`, async (w, _m, actor) => {
        await w.brake.freeze(w.tenantId, a, actor);
        return {};
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`unfreeze ${a}`, async (w, _m, actor) => {
        await w.brake.unfreeze(w.tenantId, a, actor);
        return { unfroze: a };
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`break or mend the role of ${a}`, async (w) => {
        w.roleWorks.set(a, !w.roleWorks.get(a));
        return {};
      }),
  ),
  // A stack's message, with its own token mostly; now and then with a token read off another stack.
  // (Listed twice: stack messages are the most hostile input, so they come twice as often.)
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(
        fc.constantFrom("Create" as const, "Update" as const, "Delete" as const),
        account,
        stack,
        fc.option(fc.tuple(account, stack), { freq: 3 }),
      )
      .map(([type, a, n, stolen]) => {
        const [ta, tn] = stolen ?? [a, n];
        return new LifecycleCommand(
          `stack ${type} ${a}#${n}${stolen ? ` with the token of ${ta}#${tn}` : ""}`,
          stackMessage(type, a, n, { accountId: ta, n: tn }),
        );
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`organization: ${a} joins or leaves`, async (w) => {
        if (w.members.has(a)) w.members.delete(a);
        else w.members.add(a);
        return {};
      }),
  ),
  fc.constant(
    new LifecycleCommand("organization connect or sync", async (w, _m, actor) => {
      const { service, jobs, starter, records: _r, links } = w.organizations;
      const connection = await w.ports.organizations.get(w.tenantId);
      if (connection) {
        const latest = await w.ports.jobs.get(w.tenantId);
        await starter.start(connection, "SYNC", latest, actor, links);
      } else {
        const { job } = await service.connect(
          w.tenantId,
          {
            managementAccountId: MANAGEMENT,
            managementRoleArn: roleArn(MANAGEMENT),
            memberRoleName: "Access",
          },
          actor,
        );
        await links.launch({ tenantId: w.tenantId, jobId: job.jobId });
      }
      const outcomes = await drainJobs(jobs, links, 600_000);
      if (process.env.MODEL_DEBUG) console.log("sync", JSON.stringify(outcomes));
      return {};
    }),
  ),
  fc.boolean().map(
    (removeAccounts) =>
      new LifecycleCommand(
        `organization disconnect (remove accounts: ${removeAccounts})`,
        async (w, _m, actor) => {
          await w.organizations.records.disconnect(w.tenantId, removeAccounts, actor);
          return {};
        },
      ),
  ),
  fc.boolean().map(
    (suspend) =>
      new LifecycleCommand(
        suspend ? "suspend the tenant" : "resume the tenant",
        async (w, _m, actor) => {
          await w.tenants.setSuspended(w.tenantId, suspend, actor);
          return {};
        },
      ),
  ),
  // A burst of rotations (a double click, a script run twice), with or without force. Without
  // force, each is allowed only when every registered account was seen on the current ID.
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).map(
    ([n, force]) =>
      new LifecycleCommand(
        `rotate ${n} time${n === 1 ? "" : "s"}${force ? " with force" : ""}`,
        async (w, model, actor) => {
          let rotations = 0;
          const start = await accountsOf(w);
          for (let i = 0; i < n; i++) {
            const tenant = await w.ports.tenants.get(w.tenantId);
            // The rule, restated: an account that is not DETACHED and was not seen accepting the
            // current ID holds the rotation back.
            const lagging = (await accountsOf(w))
              .filter(
                (a) =>
                  a.status !== "DETACHED" && a.acceptedExternalId !== tenant?.externalId.current,
              )
              .map((a) => a.accountId)
              .sort();
            const outcome = await w.rotation.rotate(w.tenantId, actor, { force }).then(
              () => undefined,
              (err: { status?: number; code?: string; details?: unknown }) => {
                if (err.status === undefined || err.status >= 500) throw err;
                return err;
              },
            );
            if (process.env.MODEL_DEBUG)
              console.log("rotation", force ? "forced" : "", lagging.length, outcome?.code ?? "OK");
            if (tenant?.status !== "ACTIVE") {
              expect(outcome?.code).toBe("TENANT_NOT_FOUND");
            } else if (force || lagging.length === 0) {
              expect(outcome, JSON.stringify(outcome)).toBeUndefined();
              rotations += 1;
              if (lagging.length > 0) model.forced = true;
            } else {
              expect(outcome?.code).toBe("ROTATION_WOULD_STRAND_ACCOUNTS");
              expect(outcome?.details).toEqual({
                laggingAccounts: lagging.length,
                accountIds: lagging,
              });
            }
          }
          // Without force, a tenant with registered accounts rotates at most once in a row: the
          // first rotation leaves every one of them behind the new ID.
          const registered = start.filter((a) => a.status !== "DETACHED");
          if (!force && registered.length > 0) expect(rotations).toBeLessThanOrEqual(1);
          return { rotations, forced: force };
        },
      ),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`the stack of ${a} takes the current external ID`, async (w) => {
        const tenant = await w.ports.tenants.get(w.tenantId);
        if (tenant) w.trusts.set(a, tenant.externalId.current);
        return {};
      }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`session for ${a}`, async (w, model) => {
        // No session for a frozen, unverified, detached or deleted account, or a suspended tenant.
        const tenant = await w.ports.tenants.get(w.tenantId);
        const current = await w.ports.accounts.get(w.tenantId, a);
        const allowed =
          tenant?.status === "ACTIVE" &&
          !tenant.suspended &&
          current?.status === "VERIFIED" &&
          current.frozen === undefined;
        const cutOff = !usableIds(tenant).includes(w.trusts.get(a) as string);
        const outcome = await w.broker
          .issue(
            { keyId: "key_billing", service: "billing" },
            { tenantId: w.tenantId, accountId: a },
            `req-${w.requests}`,
          )
          .then(
            () => "ISSUED",
            (err: { status?: number; code?: string }) => {
              if (err.code === "TENANT_ROLE_DENIED") return err.code;
              if (err.status === undefined || err.status >= 500) throw err;
              return err.code;
            },
          );
        if (!allowed) expect(outcome, `session for ${a}`).not.toBe("ISSUED");
        else if (!cutOff) expect(outcome, `session for ${a}`).toBe("ISSUED");
        // A role that no longer trusts any usable ID: only after a forced rotation, and refused
        // by AWS (or answered from the cache, with a session issued before).
        else {
          expect(model.forced, `session for ${a}: cut off without force`).toBe(true);
          expect(["ISSUED", "TENANT_ROLE_DENIED"]).toContain(outcome);
        }
        return outcome === "TENANT_ROLE_DENIED" ? { denied: a } : {};
      }),
  ),
  // Rarely in the middle (what follows a deletion must find nothing), and always at the end.
  fc
    .integer({ min: 0, max: 5 })
    .map((n) => (n === 0 ? deleteTenant : new LifecycleCommand("nothing", async () => ({})))),
];

/**
 * Bounded runs: a fixed seed in `npm test`; `npm run test:model` sets MODEL_RUNS for a longer run
 * with a fresh seed each time (fast-check prints it on failure; MODEL_SEED replays it).
 */
export function modelParameters(
  defaultRuns: number,
  longestRun = Infinity,
): fc.Parameters<unknown> {
  const longer = process.env.MODEL_RUNS !== undefined;
  const seed = process.env.MODEL_SEED
    ? Number(process.env.MODEL_SEED)
    : longer
      ? Date.now() % 2 ** 31
      : 20261202;
  const numRuns = longer ? Math.min(Number(process.env.MODEL_RUNS), longestRun) : defaultRuns;
  return { seed, numRuns };
}

export async function runLifecycleModel(
  freshPorts: () => Promise<ModelPorts>,
  runs: number,
  maxCommands: number,
  longestRun = Infinity,
) {
  await fc.assert(
    fc.asyncProperty(
      fc.commands(lifecycleCommands, { maxCommands, size: "max" }),
      async (commands) => {
        const world = await buildWorld(await freshPorts());
        const model: Model = { tenantDeleted: false, forced: false };
        await fc.asyncModelRun(() => ({ model, real: world }), commands);
        await deleteTenant.run(model, world);
      },
    ),
    modelParameters(runs, longestRun),
  );
}

export { systemActor };
