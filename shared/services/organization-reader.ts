import type { OrganizationConnection } from "../domain/organization";
import type { OrganizationJob } from "../domain/organization-job";
import { NotFoundError } from "../errors";
import type { OrganizationJobStore, OrganizationStore } from "../ports/organizations";
import type { TenantLookup } from "./tenant-lookup";

export class OrganizationNotConnectedError extends NotFoundError {
  constructor(tenantId: string) {
    super("ORGANIZATION_NOT_CONNECTED", `Tenant ${tenantId} has no connected organization`);
  }
}

/**
 * A tenant's organization connection and its latest job, read (GET .../organizations): two
 * GetItems, nothing of disconnect's (account removal, the lifecycle table) in the read's bundle.
 */
export class OrganizationReader {
  constructor(
    private readonly deps: {
      organizations: Pick<OrganizationStore, "get">;
      jobs: Pick<OrganizationJobStore, "get">;
      tenants: Pick<TenantLookup, "get">;
    },
  ) {}

  /** The connection (404 ORGANIZATION_NOT_CONNECTED without one; 404 for an unknown tenant). */
  async get(tenantId: string): Promise<OrganizationConnection> {
    await this.deps.tenants.get(tenantId);
    const connection = await this.deps.organizations.get(tenantId);
    if (!connection) throw new OrganizationNotConnectedError(tenantId);
    return connection;
  }

  /** The connection and its latest job (progress, the last sync's counts). */
  async withJob(
    tenantId: string,
  ): Promise<{ connection: OrganizationConnection; job: OrganizationJob | undefined }> {
    const connection = await this.get(tenantId);
    return { connection, job: await this.deps.jobs.get(tenantId) };
  }
}
