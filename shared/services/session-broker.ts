import type { AuditRecord } from "../domain/audit";
import { RoleAccessError } from "../domain/errors";
import { applicableGrant, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from "../domain/grant";
import { sessionBlocker } from "../domain/lifecycle";
import { roleSessionName, sessionCacheKey } from "../domain/session";
import { externalIdCandidates } from "../domain/tenant";
import {
  AccountNotFoundError,
  type AppError,
  BadGatewayError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  ServiceUnavailableError,
  TenantNotFoundError,
} from "../errors";
import type {
  AccountStore,
  AuditStore,
  AwsCredentials,
  BrokerStore,
  Clock,
  PermissionSetStore,
  TenantRoleGateway,
} from "../ports";
import type { SessionCache } from "./session-cache";
import { assumeTenantRole } from "./tenant-role-access";

export interface SessionRequest {
  tenantId: string;
  accountId: string;
  permissionSet?: string;
  durationSeconds?: number;
  region?: string;
}

export interface BrokeredSession {
  credentials: AwsCredentials & { expiration: Date };
  assumedRoleArn: string;
  sessionName: string;
}

export interface IssuedSession extends BrokeredSession {
  cacheHit: boolean;
}

export interface SessionBrokerDeps {
  store: BrokerStore;
  permissionSets: PermissionSetStore;
  accounts: AccountStore;
  audit: AuditStore;
  gateway: Pick<TenantRoleGateway, "assumeRole">;
  cache: SessionCache<BrokeredSession & { expiration: Date }>;
  clock: Clock;
  defaultRegion: string;
}

/**
 * Issues short-lived credentials into a tenant account for an internal service: authorized by a
 * grant, scoped by a permission set (session policy), attributed by SourceIdentity and session
 * tags, audited before anything is returned, cached per container.
 *
 * Every request is decided on fresh state (one strongly consistent BatchGetItem); the cache is
 * consulted only after that, so suspension, grant revocation, account removal, external-ID
 * rotation and the brake (both part of the cache key) take effect on the very next request.
 */
export class SessionBroker {
  constructor(private readonly deps: SessionBrokerDeps) {}

  async issue(
    caller: { keyId: string; service: string },
    req: SessionRequest,
    requestId: string,
  ): Promise<IssuedSession> {
    const at = this.deps.clock.now();
    const base: AuditRecord = {
      requestId,
      at: at.toISOString(),
      keyId: caller.keyId,
      keyRole: "service",
      service: caller.service,
      action: "SESSION",
      tenantId: req.tenantId,
      accountId: req.accountId,
      outcome: "REFUSED",
    };
    const refuse = async (err: AppError, extra: Partial<AuditRecord> = {}): Promise<never> => {
      await this.deps.audit.write({ ...base, ...extra, outcome: "REFUSED", code: err.code });
      throw err;
    };

    const state = await this.deps.store.load({ ...req, service: caller.service });
    // Without a grant the service learns nothing about the tenant, not even whether it exists.
    const grant = applicableGrant(state.grantForTenant, state.grantForAll);
    if (!grant)
      return refuse(
        new ForbiddenError(
          `Service ${caller.service} has no grant for tenant ${req.tenantId}`,
          "NOT_GRANTED",
        ),
      );
    // The lifecycle decides which tenants and accounts may be brokered at all.
    const { tenant, account } = state;
    switch (sessionBlocker(tenant, account)) {
      case "TENANT_NOT_FOUND":
        return refuse(new TenantNotFoundError(req.tenantId));
      case "TENANT_SUSPENDED":
        return refuse(
          new ForbiddenError(`Tenant ${req.tenantId} is suspended`, "TENANT_SUSPENDED"),
        );
      case "ACCOUNT_NOT_FOUND":
        return refuse(new AccountNotFoundError(req.accountId));
      case "ACCOUNT_FROZEN":
        return refuse(
          new ConflictError(
            "ACCOUNT_FROZEN",
            `Account ${req.accountId} is frozen (emergency brake since ${account?.frozen?.at}); unfreeze it first`,
          ),
        );
      case "ACCOUNT_UNAVAILABLE":
        return refuse(
          new ConflictError(
            "ACCOUNT_UNAVAILABLE",
            `Account ${req.accountId} is not verified (${account?.lastVerification.code ?? account?.status}); verify it again`,
          ),
        );
    }
    if (!tenant || !account) throw new AccountNotFoundError(req.accountId); // unreachable

    if (account.health?.state === "UNHEALTHY") {
      return refuse(
        new ConflictError(
          "ACCOUNT_UNAVAILABLE",
          `Account ${req.accountId} failed its last health check (${account.health.lastErrorCode ?? "UNHEALTHY"})`,
        ),
      );
    }

    const durationSeconds =
      req.durationSeconds ?? Math.min(grant.maxDurationSeconds, MAX_SESSION_SECONDS);
    if (durationSeconds < MIN_SESSION_SECONDS || durationSeconds > MAX_SESSION_SECONDS) {
      return refuse(
        new BadRequestError(
          "INVALID_DURATION",
          `durationSeconds must be ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`,
        ),
      );
    }
    if (durationSeconds > grant.maxDurationSeconds) {
      return refuse(
        new BadRequestError(
          "DURATION_EXCEEDS_GRANT",
          `The grant allows at most ${grant.maxDurationSeconds} seconds`,
        ),
        { durationSeconds },
      );
    }

    if (req.permissionSet !== undefined && !state.permissionSet) {
      return refuse(
        new BadRequestError(
          "UNKNOWN_PERMISSION_SET",
          `Permission set ${req.permissionSet} does not exist`,
        ),
        {
          permissionSet: req.permissionSet,
        },
      );
    }
    let permissionSetName = req.permissionSet;
    if (permissionSetName === undefined) {
      if (grant.permissionSets.length !== 1) {
        return refuse(
          new BadRequestError(
            "PERMISSION_SET_REQUIRED",
            `Name one of the granted permission sets: ${grant.permissionSets.join(", ")}`,
          ),
        );
      }
      permissionSetName = grant.permissionSets[0] as string;
    }
    if (!grant.permissionSets.includes(permissionSetName)) {
      return refuse(
        new ForbiddenError(
          `Permission set ${permissionSetName} is not granted to ${caller.service}`,
          "NOT_GRANTED",
        ),
        {
          permissionSet: permissionSetName,
        },
      );
    }
    // Named in the request, it came with the batch read; the grant's only set costs one more read.
    const permissionSet =
      req.permissionSet !== undefined
        ? state.permissionSet
        : await this.deps.permissionSets.get(permissionSetName);
    if (!permissionSet) {
      return refuse(
        new BadRequestError(
          "UNKNOWN_PERMISSION_SET",
          `Permission set ${permissionSetName} does not exist`,
        ),
        { permissionSet: permissionSetName },
      );
    }

    const region = req.region ?? account.regions[0] ?? this.deps.defaultRegion;
    if (account.regions.length > 0 && !account.regions.includes(region)) {
      return refuse(
        new BadRequestError(
          "REGION_NOT_ENABLED",
          `Region ${region} is not enabled for account ${req.accountId}: ${account.regions.join(", ")}`,
        ),
      );
    }

    const detail: Partial<AuditRecord> = {
      roleArn: account.roleArn,
      permissionSet: permissionSetName,
      durationSeconds,
      region,
      sourceIdentity: caller.service,
    };
    const externalIds = externalIdCandidates(tenant.externalId, account.acceptedExternalId, at);
    const key = sessionCacheKey({
      service: caller.service,
      roleArn: account.roleArn,
      externalIds,
      brakeGeneration: account.brakeGeneration ?? 0,
      permissionSet: permissionSetName,
      policy: permissionSet.policy,
      region,
      durationSeconds,
    });

    let issued: { value: BrokeredSession & { expiration: Date }; hit: boolean };
    try {
      issued = await this.deps.cache.get(key, at.getTime(), async () => {
        const sessionName = roleSessionName(caller.service, requestId);
        const { credentials, externalId } = await assumeTenantRole(
          this.deps.gateway,
          {
            roleArn: account.roleArn,
            sessionName,
            durationSeconds,
            region,
            sourceIdentity: caller.service,
            tags: [
              { key: "tenant", value: tenant.tenantId },
              { key: "service", value: caller.service },
            ],
            policy: permissionSet.policy,
          },
          externalIds,
        );
        if (externalId !== account.acceptedExternalId) {
          // The role accepted another of the tenant's IDs than recorded (it was updated after a
          // rotation, or nothing was recorded): present that one first from now on. Best effort:
          // the session is good either way, and the next request records it if this write fails.
          await this.deps.accounts
            .recordExternalId(tenant.tenantId, account.accountId, account.roleArn, externalId)
            .catch(() => undefined);
        }
        const expiration =
          credentials.expiration ?? new Date(at.getTime() + durationSeconds * 1000);
        return {
          credentials: { ...credentials, expiration },
          assumedRoleArn: credentials.assumedRoleArn ?? "",
          sessionName,
          expiration,
        };
      });
    } catch (err) {
      throw await this.failed(err, base, detail);
    }

    const session = issued.value;
    // No audit record, no credentials: if this write fails, the request fails.
    await this.deps.audit.write({
      ...base,
      ...detail,
      outcome: "ISSUED",
      sessionName: session.sessionName,
      expiration: session.expiration.toISOString(),
      cacheHit: issued.hit,
    });
    return { ...session, cacheHit: issued.hit };
  }

  /** Classifies an STS failure, audits it, and returns the error to throw. */
  private async failed(
    err: unknown,
    base: AuditRecord,
    detail: Partial<AuditRecord>,
  ): Promise<unknown> {
    if (err instanceof ServiceUnavailableError) {
      // STS timed out or failed on its side: no session, and the attempt is on record.
      await this.deps.audit.write({ ...base, ...detail, outcome: "FAILED", code: err.code });
      return err;
    }
    if (!(err instanceof RoleAccessError)) return err;
    let mapped: AppError;
    switch (err.code) {
      case "ACCESS_DENIED":
      case "ROLE_NOT_FOUND":
        await this.deps.accounts.markDenied(
          base.tenantId as string,
          base.accountId as string,
          this.deps.clock.now().toISOString(),
          "AssumeRole was denied while issuing a session",
        );
        mapped = new BadGatewayError(
          "TENANT_ROLE_DENIED",
          `Account ${base.accountId} refused the control plane's AssumeRole; the account is marked for re-verification`,
        );
        break;
      case "THROTTLED":
        mapped = new ServiceUnavailableError("STS is throttling; retry shortly", {
          retryAfterSeconds: 2,
          code: "STS_THROTTLED",
        });
        break;
      case "REGION_DISABLED":
        mapped = new BadRequestError(
          "REGION_NOT_ENABLED",
          `STS is disabled in region ${detail.region} for this account`,
        );
        break;
      case "INVALID_REQUEST":
        mapped = new BadRequestError(
          "SESSION_REJECTED",
          `STS rejected the session: ${err.message}`,
        );
        break;
      default:
        mapped = new ServiceUnavailableError("STS could not issue the session; retry shortly", {
          retryAfterSeconds: 2,
        });
    }
    await this.deps.audit.write({ ...base, ...detail, outcome: "FAILED", code: mapped.code });
    return mapped;
  }
}
