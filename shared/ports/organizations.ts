/** The ports of the organizations area: AWS Organizations, connections and organization jobs. */
import type { OrganizationConnection, OrganizationMember } from "../domain/organization";
import type { OrganizationJob } from "../domain/organization-job";
import type { AwsCredentials } from "./accounts";
import type { Page, PageRequest } from "./common";

/** AWS Organizations read through the management role's session. Errors are RoleAccessError. */
export interface OrganizationGateway {
  describe(
    credentials: AwsCredentials,
  ): Promise<{ organizationId: string; managementAccountId: string }>;
  /** Every account of the organization (all pages of ListAccounts). */
  accounts(credentials: AwsCredentials): Promise<OrganizationMember[]>;
  /** The direct children of a root or OU (all pages of ListChildren). */
  children(
    credentials: AwsCredentials,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
  ): Promise<string[]>;
}

/**
 * AWS Organizations one page at a time (ListAccounts, ListChildren: at most 20 a page), for a
 * walk that is paced and resumed across invocations (shared/services/organization-walk.ts).
 * Throttling is a RoleAccessError THROTTLED.
 */
export interface OrganizationPages {
  accountsPage(
    credentials: AwsCredentials,
    nextToken?: string,
  ): Promise<{ members: OrganizationMember[]; nextToken?: string }>;
  childrenPage(
    credentials: AwsCredentials,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
    nextToken?: string,
  ): Promise<{ ids: string[]; nextToken?: string }>;
}

export interface OrganizationStore {
  get(tenantId: string): Promise<OrganizationConnection | undefined>;
  /**
   * Creates (expectedVersion undefined: only while the tenant is ACTIVE and none exists) or
   * replaces the connection if its version still matches. Throws StaleOrganizationError.
   */
  put(connection: OrganizationConnection, expectedVersion: number | undefined): Promise<void>;
  delete(tenantId: string): Promise<boolean>;
  /** Every connected organization, page by page (the sync's list). */
  list(page: PageRequest): Promise<Page<OrganizationConnection>>;
}

/** A link of an organization job's chain of invocations (shared/services/organization-job.ts). */
export interface OrganizationJobLink {
  tenantId: string;
  jobId: string;
  /** The chain that holds the job's lease, passed from link to link (a resumed job gets a new one). */
  chain?: string;
  /** The lease's sequence the link expects (its predecessor's): a link delivered twice runs once. */
  seq?: number;
}

/** Runs a link of an organization job in a new invocation of the job function, asynchronously. */
export interface OrganizationJobLauncher {
  launch(link: OrganizationJobLink): Promise<void>;
}

/**
 * A tenant's latest organization job (one item in the tenant's partition) and its saved state
 * (what the walk listed, what is left to register): plain JSON, stored compressed and in chunks.
 */
export interface OrganizationJobStore {
  get(tenantId: string): Promise<OrganizationJob | undefined>;
  /** Puts a new job in place of the one read (`replacing`: its jobId; undefined: none). False when another took its place. */
  start(job: OrganizationJob, replacing: string | undefined): Promise<boolean>;
  /**
   * Takes the RUNNING job's lease for `holder` until `untilMs`, moving its sequence on: when the
   * lease is free or expired, or when `holder` holds it at `expectedSeq`. Undefined otherwise.
   */
  acquire(
    tenantId: string,
    jobId: string,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<OrganizationJob | undefined>;
  /** The state the job saved last (undefined: none yet). */
  loadState(job: OrganizationJob): Promise<unknown | undefined>;
  /**
   * Saves the job (progress, status) and its state (undefined: drops it, the job is finished),
   * only while the job's holder still holds it at its sequence; false when it lost the lease or the
   * job was replaced or deleted.
   */
  save(job: OrganizationJob, state: unknown | undefined): Promise<boolean>;
  /** Forgets the tenant's job (disconnect): a running chain stops at its next save. */
  delete(tenantId: string): Promise<void>;
}
