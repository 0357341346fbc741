import type { Account, AccountSource } from "./account";
import type { ApiKeyRole } from "./api-key";

/**
 * One audit record per change the control plane makes, and per session request that got past the
 * boundary (issued, refused or failed). Never a secret: no credentials, no key secret, no
 * registration token.
 *
 * Two trails: each tenant's (its accounts, organization, external IDs, sessions and brakes), kept
 * when the tenant is deleted; and the platform's (tenants, API keys, grants, permission sets),
 * read by admins at GET /v1/audit.
 */
export type AuditOutcome = "ISSUED" | "REFUSED" | "FAILED" | "APPLIED" | "RELEASED" | "SUCCEEDED";

/** Actions recorded in the tenant's own trail. */
const TENANT_TRAIL_ACTIONS = [
  "SESSION",
  "FREEZE",
  "UNFREEZE",
  "ACCOUNT_REGISTER",
  "ACCOUNT_UPDATE",
  "ACCOUNT_VERIFY",
  "ACCOUNT_DELETE",
  "ACCOUNT_DETACH",
  "STACK_MESSAGE",
  "ONBOARDING_LINK",
  "EXTERNAL_ID_ROTATE",
  "ORGANIZATION_CONNECT",
  "ORGANIZATION_SYNC",
  "ORGANIZATION_DISCONNECT",
] as const;

/** Actions of the platform's operators: recorded in the platform trail, not a tenant's. */
const PLATFORM_TRAIL_ACTIONS = [
  "TENANT_CREATE",
  "TENANT_SUSPEND",
  "TENANT_RESUME",
  "TENANT_DELETE",
  "API_KEY_CREATE",
  "API_KEY_REVOKE",
  "GRANT_CREATE",
  "GRANT_DELETE",
  "PERMISSION_SET_PUT",
  "PERMISSION_SET_DELETE",
] as const;

export const AUDIT_ACTIONS = [...TENANT_TRAIL_ACTIONS, ...PLATFORM_TRAIL_ACTIONS] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const PLATFORM_ACTIONS: ReadonlySet<AuditAction> = /* @__PURE__ */ new Set<AuditAction>(
  PLATFORM_TRAIL_ACTIONS,
);

/** Who acted: an API key (and its role), a tenant's stack, or the control plane's own schedule. */
export type ActorRole = ApiKeyRole | "stack" | "system";

export interface Actor {
  /** The API Gateway request ID (x-request-id), the stack's RequestId, or the invocation's. */
  requestId: string;
  /** The acting API key's id; "stack" for a stack's message; "system" for scheduled work. */
  keyId: string;
  keyRole: ActorRole;
  /** The service name of a service key. */
  service?: string;
  /** The stack a message came from. */
  stackId?: string;
}

export const systemActor = (requestId: string, job: string): Actor => ({
  requestId,
  keyId: "system",
  keyRole: "system",
  service: job,
});

export interface AuditRecord {
  requestId: string;
  at: string;
  keyId: string;
  /** The acting key's role (absent on records written before it was recorded). */
  keyRole?: ActorRole;
  /** The service name of a service key, or the scheduled job's name. */
  service?: string;
  /** The tenant concerned; absent for platform-wide changes (permission sets, admin keys). */
  tenantId?: string;
  accountId?: string;
  /** SESSION when absent (records written before other actions were recorded have none). */
  action?: AuditAction;
  outcome: AuditOutcome;
  /** The refusal or failure code (NOT_GRANTED, TENANT_SUSPENDED, ...). */
  code?: string;
  roleArn?: string;
  permissionSet?: string;
  durationSeconds?: number;
  region?: string;
  sessionName?: string;
  sourceIdentity?: string;
  expiration?: string;
  cacheHit?: boolean;
  /** How an account was registered: api, cloudformation or organization. */
  source?: "api" | "cloudformation" | "organization";
  stackId?: string;
  managementAccountId?: string;
  /** The account's lifecycle state before and after the change. */
  fromState?: string;
  toState?: string;
  /**
   * What the change was about: the API key, grant or permission set it created or removed; on a
   * session refused for a tenant that does not exist (platform trail), the tenant ID it named.
   */
  target?: string;
  /** Counts of an organization sync: accounts registered and detached. */
  registered?: number;
  detached?: number;
  /** An external-ID rotation made with `force` despite accounts not yet on the current ID. */
  forced?: boolean;
  /** On a forced rotation: how many accounts had not been seen accepting the current ID. */
  laggingAccounts?: number;
}

/** Which trail a record belongs to: the platform's, or its tenant's. */
export function auditTrailOf(
  record: Pick<AuditRecord, "action" | "tenantId">,
): string | "PLATFORM" {
  if ((record.action && PLATFORM_ACTIONS.has(record.action)) || record.tenantId === undefined)
    return "PLATFORM";
  return record.tenantId;
}

/**
 * The record of a request about a tenant that does not exist, for the platform's trail: the ID it
 * named becomes its `target`, not its `tenantId`. Anyone can name any ID: a trail (a partition) per
 * invented ID would grow the table at a caller's will and scatter the records where no admin looks.
 */
export function aboutNoTenant(record: AuditRecord): AuditRecord {
  const { tenantId, ...rest } = record;
  return tenantId === undefined ? rest : { ...rest, target: tenantId };
}

/** The actor's columns of a record. */
export function actorFields(
  actor: Actor,
): Pick<AuditRecord, "requestId" | "keyId" | "keyRole" | "service" | "stackId"> {
  return {
    requestId: actor.requestId,
    keyId: actor.keyId,
    keyRole: actor.keyRole,
    ...(actor.service === undefined ? {} : { service: actor.service }),
    ...(actor.stackId === undefined ? {} : { stackId: actor.stackId }),
  };
}

/** How an account was registered, in the audit trail's columns. */
export function sourceFields(source: AccountSource) {
  return {
    source: source.kind,
    ...(source.stackId === undefined ? {} : { stackId: source.stackId }),
    ...(source.managementAccountId === undefined
      ? {}
      : { managementAccountId: source.managementAccountId }),
  };
}

/** An existing account's columns in a record of what happened to it. */
export function accountFields(account: Account) {
  return {
    tenantId: account.tenantId,
    accountId: account.accountId,
    roleArn: account.roleArn,
    ...sourceFields(account.source),
    fromState: account.status,
  };
}
