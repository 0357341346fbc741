import type { ApiKey } from "../domain/api-key";
import type { OrganizationConnection } from "../domain/organization";
import { type OrganizationJob, summaryOf } from "../domain/organization-job";
import type { PermissionSet } from "../domain/permission-set";
import { type Tenant, validExternalIds } from "../domain/tenant";
import type { AccountView } from "../services/account-service";
import type { IssuedSession } from "../services/session-broker";

/** Domain objects as the API shows them (see schemas.ts). */
export function presentTenant(tenant: Tenant, now: Date) {
  return {
    tenantId: tenant.tenantId,
    name: tenant.name,
    status: tenant.status,
    suspended: tenant.suspended === true,
    ...(tenant.suspendedAt ? { suspendedAt: tenant.suspendedAt } : {}),
    externalId: tenant.externalId.current,
    externalIds: validExternalIds(tenant.externalId, now),
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}

export function presentApiKey(key: ApiKey) {
  return { ...key };
}

export function presentAccount(account: AccountView) {
  // The accepted external ID itself stays internal: the API says which one it is.
  const { version: _v, acceptedExternalId: _id, brakeGeneration: _g, ...shown } = account;
  return shown;
}

/** The connection with its latest job: lastSync is the last finished sync's counts. */
export function presentOrganization(connection: OrganizationConnection, job?: OrganizationJob) {
  const { version: _version, lastSync: stored, disconnecting: _d, ...shown } = connection;
  const lastSync = job ? summaryOf(job) : stored;
  return {
    ...shown,
    ...(lastSync ? { lastSync } : {}),
    ...(job ? { job: presentOrganizationJob(job) } : {}),
  };
}

/** A job as the API shows it: no lease, no actor, no saved state. */
export function presentOrganizationJob(job: OrganizationJob) {
  return {
    jobId: job.jobId,
    kind: job.kind,
    status: job.status,
    phase: job.phase,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    invocations: job.invocations,
    progress: job.progress,
    failures: job.failures,
    ...(job.error ? { error: job.error } : {}),
  };
}

export function presentPermissionSet(set: PermissionSet) {
  return {
    name: set.name,
    policy: JSON.parse(set.policy) as unknown,
    ...(set.description ? { description: set.description } : {}),
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
  };
}

export function presentSession(s: IssuedSession) {
  return {
    credentials: {
      accessKeyId: s.credentials.accessKeyId,
      secretAccessKey: s.credentials.secretAccessKey,
      sessionToken: s.credentials.sessionToken,
      expiration: s.credentials.expiration.toISOString(),
    },
    assumedRoleArn: s.assumedRoleArn,
    sessionName: s.sessionName,
  };
}
