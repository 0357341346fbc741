import { type AuditRecord, aboutNoTenant } from "../domain/audit";
import { RoleAccessError } from "../domain/errors";
import { decideSession, roleSessionName, type SessionRequest } from "../domain/session";
import {
  AppError,
  BadGatewayError,
  BadRequestError,
  refusalError,
  ServiceUnavailableError,
} from "../errors";
import type { AccountStore, AwsCredentials, TenantRoleGateway } from "../ports/accounts";
import type { BrokerStore, PermissionSetStore } from "../ports/brokering";
import { type AuditStore, type Clock, type MetricsSink, noMetrics } from "../ports/common";
import type { SessionCache } from "./session-cache";
import { assumeTenantRole } from "./tenant-role-access";

export type { SessionRequest };

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
  /** SessionsIssued, SessionsRefused by code, SessionIssueLatency, AssumeRoleThrottled. */
  metrics?: MetricsSink;
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
    const metrics = this.deps.metrics ?? noMetrics;
    const started = this.deps.clock.now().getTime();
    try {
      const session = await this.issueOnce(caller, req, requestId);
      metrics.count("SessionsIssued");
      metrics.duration("SessionIssueLatency", this.deps.clock.now().getTime() - started, {
        cache: session.cacheHit ? "hit" : "miss",
      });
      return session;
    } catch (err) {
      const code = err instanceof AppError ? err.code : "INTERNAL_ERROR";
      metrics.count("SessionsRefused", 1, { code });
      if (code === "STS_THROTTLED") metrics.count("AssumeRoleThrottled", 1, { caller: "sessions" });
      throw err;
    }
  }

  private async issueOnce(
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
    // One read, one pure decision (shared/domain/session.ts); only the I/O is here.
    const state = await this.deps.store.load({ ...req, service: caller.service });
    const refuse = async (err: AppError, extra: Partial<AuditRecord> = {}): Promise<never> => {
      const record: AuditRecord = { ...base, ...extra, outcome: "REFUSED", code: err.code };
      // A tenant that does not exist has no trail: its refusals go to the platform's. Known from
      // the batch read (it reads the tenant's item whatever the grants say): no extra read.
      await this.deps.audit.write(state.tenant ? record : aboutNoTenant(record));
      throw err;
    };
    const context = { now: at, defaultRegion: this.deps.defaultRegion };
    let decision = decideSession(state, req, caller, context);
    if (decision.kind === "READ_PERMISSION_SET") {
      // Named in the request, the set came with the batch read; the grant's only set costs one more.
      const set = await this.deps.permissionSets.get(decision.name);
      decision = decideSession({ ...state, ...(set ? { permissionSet: set } : {}) }, req, caller, {
        ...context,
        permissionSetRead: true,
      });
    }
    if (decision.kind === "READ_PERMISSION_SET") throw new Error("unreachable: read twice");
    if (decision.kind === "REFUSE")
      return refuse(
        refusalError(decision.refusal, decision.code, decision.message),
        decision.audit,
      );
    const plan = decision;

    const detail: Partial<AuditRecord> = {
      roleArn: plan.roleArn,
      permissionSet: plan.permissionSet.name,
      durationSeconds: plan.durationSeconds,
      region: plan.region,
      sourceIdentity: plan.sourceIdentity,
    };

    let issued: { value: BrokeredSession & { expiration: Date }; hit: boolean };
    try {
      issued = await this.deps.cache.get(plan.cacheKey, at.getTime(), async () => {
        const sessionName = roleSessionName(caller.service, requestId);
        const { credentials, externalId } = await assumeTenantRole(
          this.deps.gateway,
          {
            roleArn: plan.roleArn,
            sessionName,
            durationSeconds: plan.durationSeconds,
            region: plan.region,
            sourceIdentity: plan.sourceIdentity,
            tags: plan.tags,
            policy: plan.permissionSet.policy,
          },
          plan.externalIds,
        );
        if (externalId !== plan.acceptedExternalId) {
          // The role accepted another of the tenant's IDs than recorded (it was updated after a
          // rotation, or nothing was recorded): present that one first from now on. Best effort:
          // the session is good either way, and the next request records it if this write fails.
          await this.deps.accounts
            .recordExternalId(plan.tenantId, plan.accountId, plan.roleArn, externalId)
            .catch(() => undefined);
        }
        const expiration =
          credentials.expiration ?? new Date(at.getTime() + plan.durationSeconds * 1000);
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
