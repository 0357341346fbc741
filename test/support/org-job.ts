import type { Actor } from "../../shared/domain/audit";
import type { OrganizationConnection } from "../../shared/domain/organization";
import { ServiceUnavailableError } from "../../shared/errors";
import type { OrganizationPages } from "../../shared/ports/organizations";
import { AccountService } from "../../shared/services/account-service";
import { AuditTrail } from "../../shared/services/audit-trail";
import { type OrganizationChange, OrganizationJobs } from "../../shared/services/organization-job";
import {
  OrganizationJobStarter,
  OrganizationSchedule,
} from "../../shared/services/organization-job-starter";
import { OrganizationRecords } from "../../shared/services/organization-records";
import { OrganizationService } from "../../shared/services/organization-service";
import type { RoleVerifier } from "../../shared/services/role-verifier";
import { TenantService } from "../../shared/services/tenant-service";
import { drainJobs, QueuedLinks } from "../../tools/local-aws/queued-jobs";
import type { ManualClock } from "./fakes";
import { SequenceRandom } from "./fakes";
import {
  MemoryAccountStore,
  MemoryAuditStore,
  MemoryOrganizationJobStore,
  MemoryOrganizationStore,
  MemoryTenantStore,
} from "./memory";

export const MANAGEMENT = "999999999999";
export const admin: Actor = { requestId: "req-connect", keyId: "key_admin", keyRole: "admin" };

/** What verifying a member's role does: ok, refused (the role missing), or STS unavailable. */
export type RoleOutcome = "ok" | "missing" | "unavailable" | "unavailable-once";

/** Counts each call of the named methods (the writes) on an object, passing them on. */
function counted<T extends object>(target: T, methods: string[], counter: { n: number }): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (methods.includes(String(prop))) counter.n += 1;
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * Connect, the job, the schedule and disconnect over in-memory stores, with real services
 * (account registration and its lifecycle table included): only AWS is stubbed (the organization's
 * pages, STS). Every write to accounts, the audit trail and the connection is counted.
 */
export async function organizationJobWorld(options: {
  org: OrganizationPages;
  clock: ManualClock;
  sleep?: (ms: number) => Promise<void>;
  callsPerSecond?: number;
  concurrency?: number;
  checkpointMs?: number;
  periodMinutes?: number;
  /** How long verifying a member's role takes (virtual time; default none). */
  verifyMs?: number;
}) {
  const { clock } = options;
  const tenantStore = new MemoryTenantStore();
  const writes = { accounts: { n: 0 }, audit: { n: 0 }, organizations: { n: 0 } };
  const accountStore = new MemoryAccountStore(tenantStore);
  const auditStore = new MemoryAuditStore();
  const organizationStore = new MemoryOrganizationStore(tenantStore);
  const accounts = counted(
    accountStore,
    ["put", "delete", "markDenied", "recordExternalId"],
    writes.accounts,
  );
  const audit = counted(auditStore, ["write"], writes.audit);
  const organizations = counted(organizationStore, ["put", "delete"], writes.organizations);
  const jobs = new MemoryOrganizationJobStore(tenantStore, organizationStore);
  accountStore.guardHolds = (guard) => jobs.holds(guard);
  const trail = new AuditTrail({ audit, clock });
  const random = new SequenceRandom();
  const tenants = new TenantService({
    tenants: tenantStore,
    trail,
    clock,
    random,
  });
  const roles = new Map<string, RoleOutcome>();
  const verifier = {
    verify: async (input: { accountId: string; externalIds: readonly string[] }) => {
      if (options.verifyMs) clock.advance(options.verifyMs);
      const at = clock.now().toISOString();
      const outcome = roles.get(input.accountId) ?? "ok";
      if (outcome === "unavailable-once") roles.set(input.accountId, "ok");
      if (outcome === "unavailable" || outcome === "unavailable-once")
        throw new ServiceUnavailableError("STS is unavailable");
      return outcome === "ok"
        ? { ok: true, at, attempts: 1, externalId: input.externalIds[0] as string }
        : {
            ok: false,
            at,
            attempts: 1,
            failure: { code: "ACCESS_DENIED", message: "AssumeRole was denied" },
          };
    },
  } as unknown as RoleVerifier;
  const members = new AccountService({
    accounts,
    tenants,
    verifier,
    trail,
    clock,
    partition: "aws",
    controlPlaneAccountId: "123456789012",
    regions: { isKnown: () => true, partitionOf: () => "aws" },
  });
  const gateway = {
    assumeRole: async () => ({
      accessKeyId: "ASIA",
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(clock.now().getTime() + 900_000),
    }),
    callerIdentity: async () => ({ account: "", arn: "" }),
    roleTrustPolicy: async () => ({}),
  };
  const events: OrganizationChange[] = [];
  const sleep =
    options.sleep ??
    (async (ms: number) => {
      clock.advance(ms);
    });
  const jobRunner = new OrganizationJobs({
    jobs,
    organizations,
    accounts,
    members,
    trail,
    tenants,
    gateway,
    pages: options.org,
    publish: async (changes) => {
      events.push(...changes);
    },
    clock,
    sleep,
    random,
    concurrency: options.concurrency ?? 4,
    callsPerSecond: options.callsPerSecond ?? 1,
    ...(options.checkpointMs === undefined ? {} : { checkpointMs: options.checkpointMs }),
    partition: "aws",
    region: "us-east-1",
  });
  const starter = new OrganizationJobStarter({ jobs, clock, random });
  const links = new QueuedLinks();
  const describe = { organizationId: "o-stub", managementAccountId: MANAGEMENT };
  const service = new OrganizationService({
    organizations,
    members,
    trail,
    tenants,
    verifier,
    gateway,
    organizationsApi: { describe: async () => describe },
    jobs: starter,
    launcher: links,
    clock,
    region: "us-east-1",
  });
  const schedule = new OrganizationSchedule({
    organizations,
    jobs,
    clock,
    random,
    periodMinutes: options.periodMinutes ?? 60,
  });
  const records = new OrganizationRecords({
    organizations,
    jobs,
    accounts,
    tenants,
    trail,
    clock,
  });
  const tenant = await tenants.create("Org", admin);
  const connectInput = (organizationalUnitIds?: string[]) => ({
    managementAccountId: MANAGEMENT,
    managementRoleArn: `arn:aws:iam::${MANAGEMENT}:role/Reader`,
    memberRoleName: "Access",
    ...(organizationalUnitIds ? { organizationalUnitIds } : {}),
  });
  return {
    tenantId: tenant.tenantId,
    clock,
    roles,
    describe,
    events,
    writes,
    accountStore,
    auditStore,
    organizationStore,
    jobs,
    jobRunner,
    service,
    schedule,
    records,
    links,
    connect: (organizationalUnitIds?: string[]) =>
      service.connect(tenant.tenantId, connectInput(organizationalUnitIds), admin),
    /** Runs the queued links (and those they queue) as invocations of `remainingMs`. */
    drain: (remainingMs = 14.5 * 60_000) => drainJobs(jobRunner, links, remainingMs),
    /** A sync started a minute later, as the schedule would (whatever its period). */
    startSync: async () => {
      clock.advance(60_000);
      const connection = (await organizationStore.get(tenant.tenantId)) as OrganizationConnection;
      return starter.start(
        connection,
        "SYNC",
        await jobs.get(tenant.tenantId),
        { requestId: "req-sync", keyId: "system", keyRole: "system" },
        links,
      );
    },
    /** The tenant's registered accounts, by id. */
    registered: () =>
      new Map(
        [...accountStore.accounts.values()]
          .filter((a) => a.tenantId === tenant.tenantId)
          .map((a) => [a.accountId, a]),
      ),
  };
}
