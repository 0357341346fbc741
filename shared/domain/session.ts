import type { RefusalKind } from "../errors";
import type { Account } from "./account";
import { applicableGrant, type Grant, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from "./grant";
import { sessionBlocker } from "./lifecycle";
import type { PermissionSet } from "./permission-set";
import { externalIdCandidates, type Tenant } from "./tenant";

/**
 * Session attributes, clamped to what STS accepts (facts.md): RoleSessionName 2..64 of
 * [\w+=,.@-]; SourceIdentity the service name (validated when its key was created).
 */
const SESSION_NAME_MAX = 64;

export function roleSessionName(service: string, requestId: string): string {
  const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, "");
  const short = clean(requestId).slice(0, 12) || "session";
  const prefix = clean(service).slice(0, SESSION_NAME_MAX - short.length - 1);
  return `${prefix}-${short}`.slice(0, SESSION_NAME_MAX);
}

/** Everything that makes two sessions interchangeable; anything else must give another session. */
export interface SessionKey {
  service: string;
  roleArn: string;
  /** The tenant's valid external IDs, in the order presented: a rotation gives another key. */
  externalIds: readonly string[];
  /**
   * The account's brake generation (freezes and unfreezes so far): a session issued before the
   * last brake change is never handed out again, even once the account is unfrozen.
   */
  brakeGeneration: number;
  permissionSet: string;
  policy: string;
  region: string;
  durationSeconds: number;
}

export function sessionCacheKey(k: SessionKey): string {
  return JSON.stringify([
    k.service,
    k.roleArn,
    k.externalIds,
    k.brakeGeneration,
    k.permissionSet,
    k.policy,
    k.region,
    k.durationSeconds,
  ]);
}

// ---- The session decision ---------------------------------------------------------------------

/** Everything a session request is decided on, read in one round trip. */
export interface BrokerState {
  tenant?: Tenant;
  account?: Account;
  grantForTenant?: Grant;
  grantForAll?: Grant;
  /** The permission set the request named, or the grant's only one once it has been read. */
  permissionSet?: PermissionSet;
}

export interface SessionRequest {
  tenantId: string;
  accountId: string;
  permissionSet?: string;
  durationSeconds?: number;
  region?: string;
}

/**
 * What a refused request is answered with (what kind of refusal, its code and message; the error
 * hierarchy raises it, with its status), and what its audit record says besides the code.
 */
export interface SessionRefusal {
  kind: "REFUSE";
  refusal: RefusalKind;
  code: string;
  message: string;
  audit: { permissionSet?: string; durationSeconds?: number };
}

/** How to issue the session: the STS call and the audit fields follow from it. */
export interface SessionPlan {
  kind: "ISSUE";
  tenantId: string;
  accountId: string;
  roleArn: string;
  permissionSet: PermissionSet;
  durationSeconds: number;
  region: string;
  /** The tenant's valid external IDs, the one the role accepted last first. */
  externalIds: string[];
  /** The external ID the account's role accepted last, as recorded (absent: none recorded). */
  acceptedExternalId?: string;
  sourceIdentity: string;
  tags: { key: string; value: string }[];
  cacheKey: string;
}

export type SessionDecision =
  | SessionRefusal
  | SessionPlan
  /** The grant's only permission set is needed and was not in the batch read: read it, decide again. */
  | { kind: "READ_PERMISSION_SET"; name: string };

const refuse = (
  refusal: RefusalKind,
  code: string,
  message: string,
  audit: SessionRefusal["audit"] = {},
): SessionRefusal => ({ kind: "REFUSE", refusal, code, message, audit });

/**
 * The whole decision of POST /v1/sessions, as data: who may have which session of which account,
 * for how long, where. Refusals in order: no grant (the service then learns nothing about the
 * tenant), the tenant and account's lifecycle, duration, permission set, region.
 * `permissionSetRead`: the grant's only set was read already (absent means it does not exist).
 */
export function decideSession(
  state: BrokerState,
  request: SessionRequest,
  caller: { service: string },
  context: { now: Date; defaultRegion: string; permissionSetRead?: boolean },
): SessionDecision {
  const grant = applicableGrant(state.grantForTenant, state.grantForAll);
  if (!grant)
    return refuse(
      "forbidden",
      "NOT_GRANTED",
      `Service ${caller.service} has no grant for tenant ${request.tenantId}`,
    );
  const { tenant, account } = state;
  switch (sessionBlocker(tenant, account)) {
    case "TENANT_NOT_FOUND":
      return refuse("not-found", "TENANT_NOT_FOUND", `Tenant ${request.tenantId} does not exist`);
    case "TENANT_SUSPENDED":
      return refuse("forbidden", "TENANT_SUSPENDED", `Tenant ${request.tenantId} is suspended`);
    case "ACCOUNT_NOT_FOUND":
      return refuse(
        "not-found",
        "ACCOUNT_NOT_FOUND",
        `Account ${request.accountId} is not registered for this tenant`,
      );
    case "ACCOUNT_FROZEN":
      return refuse(
        "conflict",
        "ACCOUNT_FROZEN",
        `Account ${request.accountId} is frozen (emergency brake since ${account?.frozen?.at}); unfreeze it first`,
      );
    case "ACCOUNT_UNAVAILABLE":
      return refuse(
        "conflict",
        "ACCOUNT_UNAVAILABLE",
        `Account ${request.accountId} is not verified (${account?.lastVerification.code ?? account?.status}); verify it again`,
      );
  }
  if (!tenant || !account)
    throw new Error("unreachable: sessionBlocker admitted no tenant or account");
  if (account.health?.state === "UNHEALTHY") {
    return refuse(
      "conflict",
      "ACCOUNT_UNAVAILABLE",
      `Account ${request.accountId} failed its last health check (${account.health.lastErrorCode ?? "UNHEALTHY"})`,
    );
  }

  const durationSeconds =
    request.durationSeconds ?? Math.min(grant.maxDurationSeconds, MAX_SESSION_SECONDS);
  if (durationSeconds < MIN_SESSION_SECONDS || durationSeconds > MAX_SESSION_SECONDS) {
    return refuse(
      "invalid",
      "INVALID_DURATION",
      `durationSeconds must be ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`,
    );
  }
  if (durationSeconds > grant.maxDurationSeconds) {
    return refuse(
      "invalid",
      "DURATION_EXCEEDS_GRANT",
      `The grant allows at most ${grant.maxDurationSeconds} seconds`,
      { durationSeconds },
    );
  }

  if (request.permissionSet !== undefined && !state.permissionSet) {
    return refuse(
      "invalid",
      "UNKNOWN_PERMISSION_SET",
      `Permission set ${request.permissionSet} does not exist`,
      { permissionSet: request.permissionSet },
    );
  }
  let name = request.permissionSet;
  if (name === undefined) {
    if (grant.permissionSets.length !== 1) {
      return refuse(
        "invalid",
        "PERMISSION_SET_REQUIRED",
        `Name one of the granted permission sets: ${grant.permissionSets.join(", ")}`,
      );
    }
    name = grant.permissionSets[0] as string;
  }
  if (!grant.permissionSets.includes(name)) {
    return refuse(
      "forbidden",
      "NOT_GRANTED",
      `Permission set ${name} is not granted to ${caller.service}`,
      {
        permissionSet: name,
      },
    );
  }
  const permissionSet = state.permissionSet?.name === name ? state.permissionSet : undefined;
  if (!permissionSet) {
    if (request.permissionSet === undefined && !context.permissionSetRead)
      return { kind: "READ_PERMISSION_SET", name };
    return refuse("invalid", "UNKNOWN_PERMISSION_SET", `Permission set ${name} does not exist`, {
      permissionSet: name,
    });
  }

  const region = request.region ?? account.regions[0] ?? context.defaultRegion;
  if (account.regions.length > 0 && !account.regions.includes(region)) {
    return refuse(
      "invalid",
      "REGION_NOT_ENABLED",
      `Region ${region} is not enabled for account ${request.accountId}: ${account.regions.join(", ")}`,
    );
  }

  const externalIds = externalIdCandidates(
    tenant.externalId,
    account.acceptedExternalId,
    context.now,
  );
  return {
    kind: "ISSUE",
    tenantId: tenant.tenantId,
    accountId: account.accountId,
    roleArn: account.roleArn,
    permissionSet,
    durationSeconds,
    region,
    externalIds,
    ...(account.acceptedExternalId === undefined
      ? {}
      : { acceptedExternalId: account.acceptedExternalId }),
    sourceIdentity: caller.service,
    tags: [
      { key: "tenant", value: tenant.tenantId },
      { key: "service", value: caller.service },
    ],
    cacheKey: sessionCacheKey({
      service: caller.service,
      roleArn: account.roleArn,
      externalIds,
      brakeGeneration: account.brakeGeneration ?? 0,
      permissionSet: name,
      policy: permissionSet.policy,
      region,
      durationSeconds,
    }),
  };
}
