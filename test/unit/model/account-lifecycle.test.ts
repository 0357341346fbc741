import { describe, it } from "vitest";
import { runLifecycleModel } from "../../support/lifecycle-model";
import {
  MemoryAccountStore,
  MemoryAuditStore,
  MemoryBrokerStore,
  MemoryGrantStore,
  MemoryOrganizationJobStore,
  MemoryOrganizationStore,
  MemoryPermissionSetStore,
  MemoryRegistrationTokenStore,
  MemoryTenantStore,
} from "../../support/memory";

/** The lifecycle's invariants under random sequences of its events, on in-memory ports. */
async function memoryPorts() {
  const tenants = new MemoryTenantStore();
  const accounts = new MemoryAccountStore(tenants);
  const tokens = new MemoryRegistrationTokenStore(tenants);
  const organizations = new MemoryOrganizationStore(tenants);
  const jobs = new MemoryOrganizationJobStore(tenants, organizations);
  accounts.guardHolds = (guard) => jobs.holds(guard);
  accounts.tokens = tokens;
  const grants = new MemoryGrantStore(tenants);
  const permissionSets = new MemoryPermissionSetStore();
  return {
    tenants,
    rotationAccounts: tenants,
    accounts,
    tokens,
    organizations,
    jobs,
    audit: new MemoryAuditStore(),
    grants,
    permissionSets,
    broker: new MemoryBrokerStore({ tenants, accounts, grants, permissionSets }),
    async remains(tenantId: string) {
      return [
        ...[...tenants.tenants.keys()].filter((id) => id === tenantId),
        ...[...tenants.externalIds.values()].filter((id) => id === tenantId),
        ...[...accounts.accounts.values()]
          .filter((a) => a.tenantId === tenantId)
          .map((a) => a.accountId),
        ...[...tokens.tokens.values()].filter((t) => t.tenantId === tenantId).map(() => "token"),
        ...(organizations.connections.has(tenantId) ? ["organization"] : []),
        ...(jobs.jobs.has(tenantId) ? ["organization job"] : []),
        ...[...grants.grants.values()].filter((g) => g.tenantId === tenantId).map((g) => g.grantId),
      ];
    },
  };
}

describe("account lifecycle (model-based, in memory)", () => {
  it("keeps its invariants under random sequences of registrations, stack messages, organization changes, brakes, sessions and deletions", async () => {
    await runLifecycleModel(memoryPorts, 150, 40);
  }, 120_000);
});
