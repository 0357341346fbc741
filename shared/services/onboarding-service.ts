import { type AccessPrincipal, principalArnPattern } from "../domain/access-principal";
import { hashApiKey } from "../domain/api-key";
import type { Actor } from "../domain/audit";
import { quickCreateUrl } from "../domain/onboarding";
import type { RandomSource } from "../domain/random";
import { BadRequestError } from "../errors";
import type { RegionCatalog, RegistrationTokenStore } from "../ports/accounts";
import type { Clock } from "../ports/common";
import type { AuditTrail } from "./audit-trail";
import type { TenantLookup } from "./tenant-lookup";

export interface OnboardingConfig {
  templateUrl: string;
  registrationTopicArn: string;
  principal: AccessPrincipal;
  /** How long a link's token registers new accounts. */
  tokenTtlSeconds: number;
  /** How long a token is kept after that, to authenticate the stack's later Update and Delete. */
  tokenRetentionSeconds: number;
  stackName: string;
  roleName: string;
}

export interface OnboardingLink {
  quickCreateUrl: string;
  templateUrl: string;
  stackName: string;
  region: string;
  parameters: Record<string, string>;
  registrationTokenExpiresAt: string;
}

const TOKEN_PREFIX = "crt_";

export function hashRegistrationToken(token: string): string {
  return hashApiKey(token);
}

/** Creates a tenant's CloudFormation quick-create link, with a fresh registration token in it. */
export class OnboardingService {
  constructor(
    private readonly deps: {
      tenants: Pick<TenantLookup, "get">;
      tokens: RegistrationTokenStore;
      clock: Clock;
      random: RandomSource;
      regions: RegionCatalog;
      trail: AuditTrail;
      config: OnboardingConfig;
    },
  ) {}

  /**
   * A new link, with a new registration token (shown only in this answer; stored as its hash).
   * Creating one is a change, audited; reading the tenant's parameters needs no new token.
   */
  async link(tenantId: string, region: string, actor: Actor): Promise<OnboardingLink> {
    const { config } = this.deps;
    if (!this.deps.regions.isKnown(region)) {
      throw new BadRequestError("INVALID_REGION", `Region ${region} does not exist`);
    }
    const partition = this.deps.regions.partitionOf(region);
    if (partition !== config.principal.partition) {
      throw new BadRequestError(
        "REGION_OUTSIDE_PARTITION",
        `Region ${region} is not in partition ${config.principal.partition}, where this control plane runs`,
      );
    }
    const tenant = await this.deps.tenants.get(tenantId);
    const now = this.deps.clock.now();
    const token = TOKEN_PREFIX + this.deps.random.bytes(32).toString("base64url");
    const validUntil = new Date(now.getTime() + config.tokenTtlSeconds * 1000);
    await this.deps.tokens.create(
      hashRegistrationToken(token),
      { tenantId, validUntil: validUntil.toISOString(), createdAt: now.toISOString() },
      new Date(validUntil.getTime() + config.tokenRetentionSeconds * 1000),
    );
    await this.deps.trail.record(actor, { action: "ONBOARDING_LINK", tenantId, region });
    const parameters = {
      ExternalId: tenant.externalId.current,
      ControlPlanePrincipalArn: principalArnPattern(config.principal),
      RoleName: config.roleName,
      RegistrationTopicArn: config.registrationTopicArn,
      RegistrationToken: token,
    };
    return {
      quickCreateUrl: quickCreateUrl({
        region,
        partition,
        templateUrl: config.templateUrl,
        stackName: config.stackName,
        parameters,
      }),
      templateUrl: config.templateUrl,
      stackName: config.stackName,
      region,
      parameters,
      registrationTokenExpiresAt: validUntil.toISOString(),
    };
  }
}
