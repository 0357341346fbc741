import type { AccessPrincipal } from "../domain/access-principal";
import { parseAssumedRoleArn, type RoleArn } from "../domain/arn";
import { RoleAccessError } from "../domain/errors";
import { checkTrustPolicy } from "../domain/trust-policy";
import { DEFAULT_MESSAGES, isTransient, type VerificationFailure } from "../domain/verification";
import type { AwsCredentials, TenantRoleGateway } from "../ports/accounts";
import type { Clock, Sleep } from "../ports/common";
import { assumeTenantRole } from "./tenant-role-access";
import { retryWhileTransient } from "./transient-retry";

export interface RoleVerifierDeps {
  gateway: TenantRoleGateway;
  clock: Clock;
  sleep: Sleep;
  principal: AccessPrincipal;
  /** Total time to keep retrying transient failures (a new role takes up to ~2 minutes to work). */
  retryBudgetMs: number;
  /** Also require that AssumeRole WITHOUT the external ID is refused (IAM, or the local emulator, decides). */
  negativeProbe: boolean;
  /** Region whose STS endpoint is used when the account lists none. */
  defaultRegion: string;
}

export interface VerifyInput {
  role: RoleArn;
  accountId: string;
  regions: string[];
  /**
   * The tenant's external IDs to present, in order (externalIdCandidates): the next one is tried
   * only when the role refuses the previous. Every one of them is valid now.
   */
  externalIds: string[];
}

export type VerifyResult =
  | { ok: true; at: string; attempts: number; externalId: string }
  | {
      ok: false;
      at: string;
      attempts: number;
      failure: VerificationFailure;
      /** Set when AssumeRole worked and a later step failed: the ID the role accepted. */
      externalId?: string;
    };

/**
 * Verifies a tenant role: AssumeRole with the tenant's external ID through the regional STS
 * endpoint, GetCallerIdentity must be that account and role (and work in every listed region),
 * the role's trust policy (read through the role itself) must pass the trust-policy lint, and
 * optionally AssumeRole without the external ID must be refused. Transient failures
 * (access denied or role not found right after creation, throttling) are retried with
 * exponential backoff until the budget is spent; then exactly one reason code is reported.
 */
export class RoleVerifier {
  constructor(private readonly deps: RoleVerifierDeps) {}

  async verify(input: VerifyInput): Promise<VerifyResult> {
    const { result, attempts } = await retryWhileTransient(
      this.deps,
      this.deps.retryBudgetMs,
      () => this.attempt(input),
      (outcome) => !outcome.ok && isTransient(outcome.failure.code),
    );
    const at = this.deps.clock.now().toISOString();
    if (result.ok) return { ok: true, at, attempts, externalId: result.externalId };
    return { ...result, at, attempts };
  }

  private async attempt(
    input: VerifyInput,
  ): Promise<
    | { ok: true; externalId: string }
    | { ok: false; failure: VerificationFailure; externalId?: string }
  > {
    const { role } = input;
    const region = input.regions[0] ?? this.deps.defaultRegion;
    let externalId: string | undefined;
    const failed = (failure: VerificationFailure) => ({
      ok: false as const,
      failure,
      ...(externalId === undefined ? {} : { externalId }),
    });
    try {
      const session = await assumeTenantRole(
        this.deps.gateway,
        {
          roleArn: role.arn,
          sessionName: `cp-verify-${this.deps.clock.now().getTime().toString(36)}`,
          durationSeconds: 900,
          region,
          // The same attributes every brokered session carries: a role whose trust policy does not
          // allow sts:SetSourceIdentity and sts:TagSession fails here, at registration.
          sourceIdentity: "control-plane",
          tags: [{ key: "cp:purpose", value: "verification" }],
          // The verification session can do nothing but read the role itself.
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "iam:GetRole", Resource: role.arn }],
          }),
        },
        input.externalIds,
      );
      externalId = session.externalId;
      const { credentials } = session;

      // Both reads need only the session: one round trip instead of two. The identity is judged
      // first, so a wrong account is reported as such whatever the role read answered.
      const [identityRead, trustRead] = await Promise.allSettled([
        this.deps.gateway.callerIdentity(credentials, region),
        this.readTrustPolicy(credentials, role.roleName, region),
      ]);
      if (identityRead.status === "rejected") throw identityRead.reason;
      const identity = identityRead.value;
      const assumed = parseAssumedRoleArn(identity.arn);
      if (
        identity.account !== input.accountId ||
        assumed?.accountId !== input.accountId ||
        assumed.roleName !== role.roleName
      ) {
        return failed({
          code: "ACCOUNT_MISMATCH",
          message: `Assuming ${role.arn} gave the identity ${identity.arn || "(none)"} in account ${identity.account || "(none)"}, not role ${role.roleName} in account ${input.accountId}.`,
        });
      }
      for (const other of input.regions.slice(1)) {
        await this.deps.gateway.callerIdentity(credentials, other);
      }

      // IAM's own answer first: a role that lets the control plane in without the external ID
      // is refused because AWS (or the local emulator) let it in, whatever the lint would say.
      if (this.deps.negativeProbe) {
        const probe = await this.probeWithoutExternalId(role.arn, region);
        if (probe) return failed(probe);
      }

      if (trustRead.status === "rejected") throw trustRead.reason;
      const trust = trustRead.value;
      if ("code" in trust) return failed(trust);
      const problem = checkTrustPolicy(trust.policy, {
        principal: this.deps.principal,
        externalIds: input.externalIds,
      });
      if (problem) return failed(problem);
      return { ok: true, externalId: session.externalId };
    } catch (err) {
      if (err instanceof RoleAccessError) return failed(this.failureOf(err));
      throw err;
    }
  }

  private async readTrustPolicy(
    credentials: AwsCredentials,
    roleName: string,
    region: string,
  ): Promise<{ policy: unknown } | VerificationFailure> {
    try {
      return { policy: await this.deps.gateway.roleTrustPolicy(credentials, roleName, region) };
    } catch (err) {
      if (err instanceof RoleAccessError && err.code === "ACCESS_DENIED") {
        return {
          code: "ACCESS_DENIED",
          message:
            "The role cannot read its own definition: it needs iam:GetRole on itself, as the onboarding template grants.",
        };
      }
      throw err;
    }
  }

  private async probeWithoutExternalId(
    roleArn: string,
    region: string,
  ): Promise<VerificationFailure | undefined> {
    try {
      await this.deps.gateway.assumeRole({
        roleArn,
        sessionName: "cp-probe-no-external-id",
        durationSeconds: 900,
        region,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
        }),
      });
      return {
        code: "EXTERNAL_ID_NOT_REQUIRED",
        message: "AWS let the control plane assume the role without your external ID.",
      };
    } catch (err) {
      if (err instanceof RoleAccessError && err.code === "ACCESS_DENIED") return undefined;
      throw err;
    }
  }

  private failureOf(err: RoleAccessError): VerificationFailure {
    switch (err.code) {
      case "EXPIRED_TOKEN":
      case "INVALID_REQUEST":
        // Our own request was refused: not something the tenant can fix; a bug or a misconfiguration.
        throw err;
      default:
        return { code: err.code, message: DEFAULT_MESSAGES[err.code] };
    }
  }
}
