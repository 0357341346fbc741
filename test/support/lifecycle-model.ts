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
import type { OrganizationConnection } from "../../shared/domain/organization";
import type { OrganizationJob } from "../../shared/domain/organization-job";
import type { Tenant } from "../../shared/domain/tenant";
import type {
  AccountStore,
  AuditStore,
  BrokerStore,
  GrantStore,
  OrganizationJobStore,
  OrganizationStore,
  PermissionSetStore,
  RegistrationTokenStore,
  TenantStore,
} from "../../shared/ports";
import { AccountService } from "../../shared/services/account-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { EmergencyBrake } from "../../shared/services/emergency-brake";
import { hashRegistrationToken } from "../../shared/services/onboarding-service";
import { drainJobs, OrganizationJobs, QueuedLinks } from "../../shared/services/organization-job";
import { OrganizationJobStarter } from "../../shared/services/organization-job-starter";
import { OrganizationRecords } from "../../shared/services/organization-records";
import { OrganizationService } from "../../shared/services/organization-service";
import { RegistrationService } from "../../shared/services/registration-service";
import type { RoleVerifier } from "../../shared/services/role-verifier";
import { type BrokeredSession, SessionBroker } from "../../shared/services/session-broker";
import { SessionCache } from "../../shared/services/session-cache";
import type { StackConfirmation } from "../../shared/services/stack-confirmation";
import { TenantService } from "../../shared/services/tenant-service";
import { ManualClock, SequenceRandom } from "./fakes";

/** The ports a run needs, and how to see everything of one tenant that remains. */
export interface ModelPorts {
  tenants: TenantStore;
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
  /** The organization's ACTIVE members (besides its management account). */
  members: Set<string>;
  requests: number;
}

/** What the model keeps: only what the real system cannot tell us about itself. */
export interface Model {
  tenantDeleted: boolean;
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
    externalIdOverlapSeconds: 3600,
  });
  const verifier = {
    verify: async (input: { accountId: string; externalIds: readonly string[] }) => {
      const at = clock.now().toISOString();
      return roleWorks.get(input.accountId)
        ? { ok: true, at, attempts: 1, externalId: input.externalIds[0] as string }
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
  const session = async () => ({
    accessKeyId: "ASIA",
    secretAccessKey: "s",
    sessionToken: "t",
    expiration: new Date(clock.now().getTime() + 3600_000),
  });
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
    accounts,
    registration,
    brake,
    broker,
    organizations,
    roleWorks,
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

async function observe(w: World): Promise<Observed> {
  const { ports, tenantId } = w;
  const accounts = await allPages((cursor) =>
    ports.accounts.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) }),
  );
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
  step: { unfroze?: string; stack?: string; label: string },
) {
  const where = `after ${step.label}`;
  // Nothing of a deleted tenant remains except its audit.
  if (model.tenantDeleted) {
    expect(await w.ports.remains(w.tenantId), where).toEqual([]);
    return;
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
  if (JSON.stringify(before.tenant) !== JSON.stringify(after.tenant)) changes += 1;
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
  const records = changeRecords(newRecords(before, after));
  // An organization's connect changes its connection and the job its accounts; each account
  // change has its own record, the connection's change is the connect record.
  expect(records.length, `${where}: ${JSON.stringify(records.map((r) => r.action))}`).toBe(changes);
  for (const r of records) {
    expect(r.keyId, where).toBeTruthy();
    expect(r.keyRole, where).toBeTruthy();
  }
}

// ---- Commands ----------------------------------------------------------------------------------

type Step = (w: World, model: Model, actor: Actor) => Promise<{ unfroze?: string; stack?: string }>;

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
    let effects: { unfroze?: string; stack?: string } = {};
    try {
      effects = await this.step(w, model, actor);
      if (process.env.MODEL_DEBUG) console.log("ok", this.label);
    } catch (err) {
      if (process.env.MODEL_DEBUG) console.log("refused", this.label, (err as Error).message);
      // Refusals are answers (4xx); anything else is a defect the run reports.
      const status = (err as { status?: number }).status;
      if (status === undefined || status >= 500) throw err;
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
  fc.constant(
    new LifecycleCommand("rotate the external ID", async (w, _m, actor) => {
      await w.tenants.rotateExternalId(w.tenantId, actor);
      return {};
    }),
  ),
  account.map(
    (a) =>
      new LifecycleCommand(`session for ${a}`, async (w) => {
        // No session for a frozen, unverified, detached or deleted account, or a suspended tenant.
        const tenant = await w.ports.tenants.get(w.tenantId);
        const current = await w.ports.accounts.get(w.tenantId, a);
        const allowed =
          tenant?.status === "ACTIVE" &&
          !tenant.suspended &&
          current?.status === "VERIFIED" &&
          current.frozen === undefined;
        const outcome = await w.broker
          .issue(
            { keyId: "key_billing", service: "billing" },
            { tenantId: w.tenantId, accountId: a },
            `req-${w.requests}`,
          )
          .then(
            () => "ISSUED",
            (err: { status?: number; code?: string }) => {
              if (err.status === undefined || err.status >= 500) throw err;
              return err.code;
            },
          );
        expect(outcome === "ISSUED", `session for ${a}: ${outcome}`).toBe(allowed);
        return {};
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
        const model: Model = { tenantDeleted: false };
        await fc.asyncModelRun(() => ({ model, real: world }), commands);
        await deleteTenant.run(model, world);
      },
    ),
    modelParameters(runs, longestRun),
  );
}

export { systemActor };
