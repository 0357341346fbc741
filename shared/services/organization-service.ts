import type { Actor } from "../domain/audit";
import { VerificationFailedError } from "../domain/errors";
import type { OrganizationConnection } from "../domain/organization";
import type { OrganizationJob } from "../domain/organization-job";
import { externalIdCandidates } from "../domain/tenant";
import { ConflictError, UnprocessableError } from "../errors";
import type { TenantRoleGateway } from "../ports/accounts";
import type { Clock } from "../ports/common";
import type {
  OrganizationGateway,
  OrganizationJobLauncher,
  OrganizationStore,
} from "../ports/organizations";
import type { AccountService } from "./account-service";
import type { AuditTrail } from "./audit-trail";
import type { OrganizationJobStarter } from "./organization-job-starter";
import { OrganizationNotConnectedError } from "./organization-reader";
import { asTenantError, organizationSession } from "./organization-session";
import type { RoleVerifier } from "./role-verifier";
import type { TenantLookup } from "./tenant-lookup";

export interface ConnectInput {
  managementAccountId: string;
  managementRoleArn: string;
  memberRoleName: string;
  organizationalUnitIds?: string[];
}

export type { OrganizationChange } from "./organization-job";
export { OrganizationNotConnectedError };

export interface OrganizationServiceDeps {
  organizations: Pick<OrganizationStore, "get" | "put">;
  members: Pick<AccountService, "parseRole">;
  trail: AuditTrail;
  tenants: Pick<TenantLookup, "get">;
  /** Verifies the management role like any account (with the propagation retries). */
  verifier: Pick<RoleVerifier, "verify">;
  gateway: TenantRoleGateway;
  organizationsApi: Pick<OrganizationGateway, "describe">;
  /** The jobs that list the organization and register its members. */
  jobs: Pick<OrganizationJobStarter, "start" | "latest">;
  launcher: OrganizationJobLauncher;
  clock: Clock;
  region: string;
}

/**
 * Connecting a tenant's AWS Organization: the management role verified and the organization
 * described while the caller waits (what is wrong there is the caller's to fix, answered at once),
 * then a CONNECT job (shared/services/organization-job.ts) lists the organization and registers
 * every ACTIVE member in scope (as arn:<partition>:iam::<id>:role/<memberRoleName>), resumed
 * across invocations; the scheduled sync runs the same job.
 */
export class OrganizationService {
  constructor(private readonly deps: OrganizationServiceDeps) {}

  async connect(
    tenantId: string,
    input: ConnectInput,
    actor: Actor,
  ): Promise<{ organization: OrganizationConnection; job: OrganizationJob; created: boolean }> {
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

    const credentials = await organizationSession(this.deps, tenant, role.arn);
    const described = await asTenantError(this.deps.organizationsApi.describe(credentials));
    if (described.managementAccountId !== input.managementAccountId) {
      throw new UnprocessableError(
        "NOT_MANAGEMENT_ACCOUNT",
        `Account ${input.managementAccountId} is not the management account of its organization (${described.managementAccountId || "none"})`,
      );
    }
    const previousJob = await this.deps.jobs.latest(tenantId);
    const at = this.deps.clock.now().toISOString();
    const connection: OrganizationConnection = {
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
    // The new settings take effect in a new job: a running one gives up at its next save.
    const job = await this.deps.jobs.start(
      connection,
      "CONNECT",
      previousJob,
      actor,
      this.deps.launcher,
    );
    if (!job)
      throw new ConflictError(
        "CONCURRENT_MODIFICATION",
        `Another request started a job for tenant ${tenantId}'s organization; read it with GET /v1/tenants/${tenantId}/organizations`,
      );
    await this.deps.trail.record(actor, {
      action: "ORGANIZATION_CONNECT",
      tenantId,
      managementAccountId: input.managementAccountId,
      roleArn: role.arn,
      target: job.jobId,
    });
    return { organization: connection, job, created: existing === undefined };
  }
}
