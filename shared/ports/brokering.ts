/** The ports of the brokering area: permission sets, grants and the session decision's read. */
import type { Grant } from "../domain/grant";
import type { PermissionSet } from "../domain/permission-set";
import type { BrokerState } from "../domain/session";
import type { Page, PageRequest } from "./common";

export interface PermissionSetStore {
  put(set: PermissionSet): Promise<{ created: boolean }>;
  get(name: string): Promise<PermissionSet | undefined>;
  list(page: PageRequest): Promise<Page<PermissionSet>>;
  delete(name: string): Promise<boolean>;
  /** The ones of `names` that exist (one BatchGetItem). */
  getMany(names: string[]): Promise<PermissionSet[]>;
}

export interface GrantStore {
  /** Throws ConflictError GRANT_EXISTS for a second grant of the same service and tenant, TenantNotFoundError for a tenant that is not ACTIVE. */
  create(grant: Grant): Promise<void>;
  get(grantId: string): Promise<Grant | undefined>;
  list(page: PageRequest): Promise<Page<Grant>>;
  /** Every grant of one service (one per tenant, and one for all tenants), by tenant ID. */
  listForService(service: string): Promise<Grant[]>;
  delete(grantId: string): Promise<boolean>;
}

/** Everything a session request is decided on, in one read round trip (strongly consistent). */
export interface BrokerStore {
  load(query: {
    tenantId: string;
    accountId: string;
    service: string;
    permissionSet?: string;
  }): Promise<BrokerState>;
}
