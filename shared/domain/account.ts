import type { Partition } from "./arn";
import type { AccountHealth } from "./health";
import type { VerificationCode } from "./verification";

/** A tenant's AWS account, registered with the role the control plane assumes in it. */
export type AccountStatus = "VERIFIED" | "FAILED";

export interface AccountSource {
  kind: "api" | "cloudformation";
  /** For cloudformation: the stack that registered it; only that stack's Delete deregisters it. */
  stackId?: string;
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
  /** Set by the scheduled health checks, and by an explicit re-verification. */
  health?: AccountHealth;
  createdAt: string;
  updatedAt: string;
  version: number;
}
