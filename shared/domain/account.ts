import type { Partition } from "./arn";
import type { Frozen } from "./emergency-brake";
import type { AccountHealth } from "./health";
import type { VerificationCode } from "./verification";

/**
 * A tenant's AWS account, registered with the role the control plane assumes in it. DETACHED: an
 * account a connected organization registered, that has since left it, left the chosen OUs or
 * closed; kept for the record, never brokered, registered again if it comes back.
 */
export type AccountStatus = "VERIFIED" | "FAILED" | "DETACHED";

export interface AccountSource {
  kind: "api" | "cloudformation" | "organization";
  /** For cloudformation: the stack that registered it; only that stack's Delete deregisters it. */
  stackId?: string;
  /**
   * For cloudformation: the version of infra/tenant-role.yaml the stack last reported
   * (TENANT_TEMPLATE_VERSION); 1 for stacks that reported none.
   */
  templateVersion?: number;
  /** For organization: the management account of the organization that registered it. */
  managementAccountId?: string;
}

export interface Account {
  tenantId: string;
  accountId: string;
  roleArn: string;
  partition: Partition;
  regions: string[];
  status: AccountStatus;
  verifiedAt?: string;
  lastVerification: { at: string; code?: VerificationCode; message?: string };
  source: AccountSource;
  /** Why and when the account was detached (status DETACHED). */
  detached?: { at: string; reason: "LEFT_ORGANIZATION" | "OUT_OF_SCOPE" | "SUSPENDED" | "CLOSED" };
  /** Set while the emergency brake is on: no session is brokered (POST .../freeze). */
  frozen?: Frozen;
  /**
   * The tenant external ID the role's trust policy accepted at the last AssumeRole (verification,
   * health check or session); presented first next time. External IDs are identifiers, not secrets.
   */
  acceptedExternalId?: string;
  /**
   * Incremented by every freeze and unfreeze: the broker's cache key carries it, so no session
   * issued before the last brake change is ever handed out again.
   */
  brakeGeneration?: number;
  /** Set by the scheduled health checks, and by an explicit re-verification. */
  health?: AccountHealth;
  createdAt: string;
  updatedAt: string;
  version: number;
}
