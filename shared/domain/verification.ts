/**
 * Why a tenant role did not verify: exactly one reason code, and a sentence a tenant admin can
 * act on. The same codes serve registration (422) and, later, the health checks.
 */
export const VERIFICATION_CODES = [
  "ACCESS_DENIED",
  "ROLE_NOT_FOUND",
  "ACCOUNT_MISMATCH",
  "TRUST_POLICY_TOO_BROAD",
  "EXTERNAL_ID_NOT_REQUIRED",
  "EXTERNAL_ID_MISMATCH",
  "REGION_DISABLED",
  "THROTTLED",
] as const;
export type VerificationCode = (typeof VERIFICATION_CODES)[number];

export interface VerificationFailure {
  code: VerificationCode;
  message: string;
}

/** Failures that may clear up by themselves shortly after a role is created (IAM propagation). */
export function isTransient(code: VerificationCode): boolean {
  return code === "ACCESS_DENIED" || code === "ROLE_NOT_FOUND" || code === "THROTTLED";
}

export const DEFAULT_MESSAGES: Record<VerificationCode, string> = {
  ACCESS_DENIED:
    "The control plane could not assume the role with your external ID. Check that the role exists, trusts the control plane with StringEquals sts:ExternalId, and allows sts:TagSession and sts:SetSourceIdentity.",
  ROLE_NOT_FOUND:
    "The role does not exist in the account. Deploy the stack from the onboarding link, or check the role ARN.",
  ACCOUNT_MISMATCH:
    "The credentials obtained through the role belong to another account or role than the one registered.",
  TRUST_POLICY_TOO_BROAD:
    "The role's trust policy lets principals other than the control plane assume it.",
  EXTERNAL_ID_NOT_REQUIRED: "The role can be assumed without your external ID.",
  EXTERNAL_ID_MISMATCH: "The role requires an external ID that is not your current one.",
  REGION_DISABLED:
    "STS is not enabled in one of the requested regions. Enable the region in the account, or leave it out.",
  THROTTLED: "AWS throttled the verification. Try again in a minute.",
};
