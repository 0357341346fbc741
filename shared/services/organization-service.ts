import pLimit from "p-limit";
import type { Account } from "../domain/account";
import { type Actor, accountFields } from "../domain/audit";
import { RoleAccessError, StaleAccountError, VerificationFailedError } from "../domain/errors";
import { decide } from "../domain/lifecycle";
import {
  type DetachReason,
  type OrganizationConnection,
  type OrganizationMember,
  planSync,
  type SyncReport,
} from "../domain/organization";
import { externalIdCandidates, type Tenant } from "../domain/tenant";
import { DEFAULT_MESSAGES, type VerificationCode } from "../domain/verification";
import { ConflictError, ServiceUnavailableError, UnprocessableError } from "../errors";
import {
  type AccountStore,
  type AwsCredentials,
  type Clock,
  type MetricsSink,
  noMetrics,
  type OrganizationGateway,
  type OrganizationStore,
  type TenantRoleGateway,
} from "../ports";
import type { AccountService } from "./account-service";
import type { AuditTrail } from "./audit-trail";
import { OrganizationNotConnectedError, OrganizationRecords } from "./organization-records";
import type { RoleVerifier } from "./role-verifier";
import type { TenantLookup } from "./tenant-lookup";
import { assumeTenantRole } from "./tenant-role-access";

export interface ConnectInput {
  managementAccountId: string;
  managementRoleArn: string;
  memberRoleName: string;
  organizationalUnitIds?: string[];
}

/** One change to a tenant's accounts made by a sync (an "Organization Account Changed" event). */
export interface OrganizationChange {
  tenantId: string;
  managementAccountId: string;
  accountId: string;
  change: "REGISTERED" | "DETACHED";
  reason?: DetachReason;
  at: string;
}

export { OrganizationNotConnectedError };

export interface OrganizationServiceDeps {
  /** Member accounts per sync result. */
  metrics?: MetricsSink;
  organizations: OrganizationStore;
  accounts: AccountStore;
  /** Registers members: its verifier does not wait for IAM propagation (the next sync retries). */
  members: Pick<AccountService, "parseRole" | "register">;
  trail: AuditTrail;
  tenants: Pick<TenantLookup, "get">;
  /** Verifies the management role like any account (with the propagation retries). */
  verifier: Pick<RoleVerifier, "verify">;
  gateway: TenantRoleGateway;
  organizationsApi: OrganizationGateway;
  publish(changes: OrganizationChange[]): Promise<void>;
  clock: Clock;
  concurrency: number;
  partition: string;
  region: string;
}

/** The organization's session can only list and describe it. */
const READ_ORGANIZATION_POLICY = /* @__PURE__ */ JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["organizations:List*", "organizations:Describe*"],
      Resource: "*",
    },
  ],
});

/**
 * Connecting a tenant's AWS Organization, and keeping the tenant's accounts in step with it:
 * every ACTIVE member in scope registered (as arn:<partition>:iam::<id>:role/<memberRoleName>),
 * accounts that left detached, each change announced.
 */
export class OrganizationService {
  private readonly records: OrganizationRecords;

  constructor(private readonly deps: OrganizationServiceDeps) {
    this.records = new OrganizationRecords(deps);
  }

  async connect(
    tenantId: string,
    input: ConnectInput,
    deadlineMs: number,
    actor: Actor,
  ): Promise<{ organization: OrganizationConnection; report: SyncReport; created: boolean }> {
    const role = this.deps.members.parseRole(input.managementAccountId, input.managementRoleArn);
    const tenant = await this.deps.tenants.get(tenantId);
    const existing = await this.deps.organizations.get(tenantId);
    if (existing && existing.managementAccountId !== input.managementAccountId) {
      throw new ConflictError(
        "ORGANIZATION_ALREADY_CONNECTED",
        `Tenant ${tenantId} is connected to the organization of ${existing.managementAccountId}; disconnect it first`,
      );
    }
    const now = this.deps.clock.now();
    const verified = await this.deps.verifier.verify({
      role,
      accountId: input.managementAccountId,
      regions: [],
      externalIds: externalIdCandidates(tenant.externalId, undefined, now),
    });
    if (!verified.ok)
      throw new VerificationFailedError(verified.failure.code, verified.failure.message);

    const credentials = await this.session(tenant, role.arn);
    const described = await asTenantError(this.deps.organizationsApi.describe(credentials));
    if (described.managementAccountId !== input.managementAccountId) {
      throw new UnprocessableError(
        "NOT_MANAGEMENT_ACCOUNT",
        `Account ${input.managementAccountId} is not the management account of its organization (${described.managementAccountId || "none"})`,
      );
    }
    const at = this.deps.clock.now().toISOString();
    let connection: OrganizationConnection = {
      tenantId,
      managementAccountId: input.managementAccountId,
      managementRoleArn: role.arn,
      memberRoleName: input.memberRoleName,
      ...(input.organizationalUnitIds?.length
        ? { organizationalUnitIds: [...new Set(input.organizationalUnitIds)] }
        : {}),
      organizationId: described.organizationId,
      connectedAt: existing?.connectedAt ?? at,
      ...(existing?.lastSync ? { lastSync: existing.lastSync } : {}),
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      version: (existing?.version ?? 0) + 1,
    };
    await this.deps.organizations.put(connection, existing?.version);
    let report: SyncReport;
    try {
      report = await this.syncWith(tenant, connection, credentials, deadlineMs, actor);
    } catch (err) {
      // A first connection that could not list the organization is not left half made.
      if (existing === undefined) await this.deps.organizations.delete(tenantId);
      throw err;
    }
    connection = await this.recordSync(connection, report);
    await this.deps.trail.record(actor, {
      action: "ORGANIZATION_CONNECT",
      tenantId,
      managementAccountId: input.managementAccountId,
      roleArn: role.arn,
      registered: report.registered.length,
      detached: report.detached.length,
    });
    return { organization: connection, report, created: existing === undefined };
  }

  /** The tenant's connection (404 ORGANIZATION_NOT_CONNECTED without one). */
  get(tenantId: string): Promise<OrganizationConnection> {
    return this.records.get(tenantId);
  }

  /** See OrganizationRecords.disconnect. */
  disconnect(tenantId: string, removeAccounts: boolean, actor: Actor): Promise<void> {
    return this.records.disconnect(tenantId, removeAccounts, actor);
  }

  /** Re-lists one connected organization and brings the tenant's accounts in step. */
  async sync(
    connection: OrganizationConnection,
    deadlineMs: number,
    actor: Actor,
  ): Promise<SyncReport> {
    const tenant = await this.deps.tenants.get(connection.tenantId);
    const credentials = await this.session(tenant, connection.managementRoleArn);
    const report = await this.syncWith(tenant, connection, credentials, deadlineMs, actor);
    const metrics = this.deps.metrics ?? noMetrics;
    for (const [result, accounts] of Object.entries(report))
      if (accounts.length > 0)
        metrics.count("OrganizationSyncAccounts", accounts.length, { result });
    await this.recordSync(connection, report);
    await this.deps.trail.record(actor, {
      action: "ORGANIZATION_SYNC",
      tenantId: connection.tenantId,
      managementAccountId: connection.managementAccountId,
      registered: report.registered.length,
      detached: report.detached.length,
    });
    return report;
  }

  /**
   * The scheduled sync: every connected organization, one after another, until the deadline (the
   * rest wait for the next run). One organization's failure is reported and the others go on.
   */
  async syncAll(
    deadlineMs: number,
    onFailure: (tenantId: string, err: unknown) => void,
    actor: Actor,
  ): Promise<{ synced: number; failed: number; changes: number; deferred: number }> {
    const totals = { synced: 0, failed: 0, changes: 0, deferred: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.deps.organizations.list({
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      for (const connection of page.items) {
        if (this.deps.clock.now().getTime() >= deadlineMs) {
          totals.deferred += 1;
          continue;
        }
        try {
          const report = await this.sync(connection, deadlineMs, actor);
          totals.synced += 1;
          totals.changes += report.registered.length + report.detached.length;
        } catch (err) {
          totals.failed += 1;
          onFailure(connection.tenantId, err);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return totals;
  }

  /** Every account in scope: the whole organization, or the chosen roots and OUs with their child OUs. */
  async scope(
    credentials: AwsCredentials,
    members: OrganizationMember[],
    organizationalUnitIds: string[] | undefined,
  ): Promise<Set<string>> {
    if (!organizationalUnitIds?.length) return new Set(members.map((m) => m.accountId));
    const inScope = new Set<string>();
    const seen = new Set<string>();
    let level = [...new Set(organizationalUnitIds)];
    while (level.length > 0) {
      for (const id of level) seen.add(id);
      const limit = pLimit(this.deps.concurrency);
      const children = await Promise.all(
        level.map((parent) =>
          limit(async () => {
            const [accounts, units] = await Promise.all([
              this.deps.organizationsApi.children(credentials, parent, "ACCOUNT"),
              this.deps.organizationsApi.children(credentials, parent, "ORGANIZATIONAL_UNIT"),
            ]);
            for (const a of accounts) inScope.add(a);
            return units;
          }),
        ),
      );
      level = [...new Set(children.flat())].filter((u) => !seen.has(u));
    }
    return inScope;
  }

  private async syncWith(
    tenant: Tenant,
    connection: OrganizationConnection,
    credentials: AwsCredentials,
    deadlineMs: number,
    actor: Actor,
  ): Promise<SyncReport> {
    const members = await asTenantError(this.deps.organizationsApi.accounts(credentials));
    const inScope = await asTenantError(
      this.scope(credentials, members, connection.organizationalUnitIds),
    );
    const plan = planSync({
      managementAccountId: connection.managementAccountId,
      members,
      inScope,
      accounts: await this.records.allAccounts(tenant.tenantId),
    });
    const report: SyncReport = {
      registered: [],
      alreadyRegistered: plan.alreadyRegistered.map((accountId) => ({ accountId })),
      failed: [],
      skipped: plan.skipped,
      detached: [],
      pending: [],
    };
    const changes: OrganizationChange[] = [];
    const change = (c: Omit<OrganizationChange, "tenantId" | "managementAccountId" | "at">) =>
      changes.push({
        tenantId: tenant.tenantId,
        managementAccountId: connection.managementAccountId,
        at: this.deps.clock.now().toISOString(),
        ...c,
      });

    const limit = pLimit(this.deps.concurrency);
    await Promise.all(
      plan.register.map((accountId) =>
        limit(async () => {
          if (this.deps.clock.now().getTime() >= deadlineMs) {
            report.pending.push({ accountId });
            return;
          }
          const roleArn = `arn:${this.deps.partition}:iam::${accountId}:role/${connection.memberRoleName}`;
          try {
            await this.deps.members.register(
              tenant.tenantId,
              { accountId, roleArn },
              { kind: "organization", managementAccountId: connection.managementAccountId },
              actor,
            );
            report.registered.push({ accountId, roleArn });
            change({ accountId, change: "REGISTERED" });
          } catch (err) {
            // One account's failure never stops the others.
            if (err instanceof VerificationFailedError)
              report.failed.push({
                accountId,
                code: err.code as VerificationCode,
                message: err.message,
              });
            else report.pending.push({ accountId });
          }
        }),
      ),
    );
    for (const { account, reason } of plan.detach) {
      if (await this.detach(account, reason, connection.managementAccountId, actor)) {
        report.detached.push({ accountId: account.accountId, reason });
        change({ accountId: account.accountId, change: "DETACHED", reason });
      }
    }
    if (changes.length > 0) await this.deps.publish(changes);
    for (const list of Object.values(report) as { accountId: string }[][])
      list.sort((a, b) => a.accountId.localeCompare(b.accountId));
    return report;
  }

  /** Stops brokering an account that left: kept for the record, unless it changed meanwhile. */
  private async detach(
    account: Account,
    reason: DetachReason,
    managementAccountId: string,
    actor: Actor,
  ): Promise<boolean> {
    const at = this.deps.clock.now().toISOString();
    const decision = decide(account, "ORG_LEAVE", { kind: "organization", managementAccountId });
    if (!decision.allowed || decision.to === "ABSENT") return false;
    try {
      await this.deps.accounts.put(
        {
          ...account,
          status: decision.to,
          detached: { at, reason },
          updatedAt: at,
          version: account.version + 1,
        },
        account.version,
      );
      await this.deps.trail.record(actor, {
        action: "ACCOUNT_DETACH",
        ...accountFields(account),
        code: reason,
        toState: decision.to,
      });
      return true;
    } catch (err) {
      if (err instanceof StaleAccountError) return false; // changed meanwhile: the next sync sees it
      throw err;
    }
  }

  private async recordSync(
    connection: OrganizationConnection,
    report: SyncReport,
  ): Promise<OrganizationConnection> {
    const at = this.deps.clock.now().toISOString();
    const updated: OrganizationConnection = {
      ...connection,
      lastSync: {
        at,
        members:
          report.registered.length +
          report.alreadyRegistered.length +
          report.failed.length +
          report.pending.length +
          report.skipped.filter((s) => s.reason !== "MANAGEMENT_ACCOUNT").length,
        registered: report.registered.length,
        alreadyRegistered: report.alreadyRegistered.length,
        failed: report.failed.length,
        skipped: report.skipped.length,
        detached: report.detached.length,
        pending: report.pending.length,
      },
      updatedAt: at,
      version: connection.version + 1,
    };
    await this.deps.organizations.put(updated, connection.version);
    return updated;
  }

  /** A session of the management account's role: current external ID, then the previous one. */
  private async session(tenant: Tenant, roleArn: string): Promise<AwsCredentials> {
    const externalIds = externalIdCandidates(tenant.externalId, undefined, this.deps.clock.now());
    const session = await asTenantError(
      assumeTenantRole(
        this.deps.gateway,
        {
          roleArn,
          sessionName: `cp-org-${this.deps.clock.now().getTime().toString(36)}`,
          durationSeconds: 900,
          region: this.deps.region,
          sourceIdentity: "control-plane",
          tags: [{ key: "cp:purpose", value: "organization-sync" }],
          policy: READ_ORGANIZATION_POLICY,
        },
        externalIds,
      ),
    );
    return session.credentials;
  }
}

/**
 * What STS or Organizations refused through the management role: the tenant's to fix (422 with
 * the verification code, e.g. ACCESS_DENIED when the role may not list the organization), or
 * throttling (503).
 */
async function asTenantError<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof RoleAccessError)) throw err;
    if (err.code === "THROTTLED")
      throw new ServiceUnavailableError("AWS is throttling; retry shortly", {
        retryAfterSeconds: 2,
      });
    if (err.code === "EXPIRED_TOKEN" || err.code === "INVALID_REQUEST") throw err;
    throw new VerificationFailedError(err.code, `${DEFAULT_MESSAGES[err.code]} (${err.message})`);
  }
}
