import {
  array,
  boolean,
  int,
  maxLength,
  minLength,
  object,
  optional,
  regex,
  strictObject,
  string,
  enum as zEnum,
} from "zod/mini";
import { VERIFICATION_CODES } from "../../domain/verification";
import {
  AccountId,
  described,
  doc,
  NextToken,
  PageSize,
  Region,
  RoleArnText,
  TenantId,
  Timestamp,
} from "./common";

/** Tenant AWS accounts: onboarding and registration. */

export const RegisterAccountRequest = doc(
  strictObject({
    accountId: AccountId,
    roleArn: described(
      RoleArnText,
      "The role's ARN: arn:<partition>:iam::<accountId>:role/<optional path/><name>; its account must be accountId.",
    ),
    regions: described(
      optional(array(Region).check(maxLength(30))),
      "Regions the account is used in; verification checks STS in each.",
    ),
  }),
  { id: "RegisterAccountRequest" },
);

export const PatchAccountRequest = doc(
  strictObject({
    roleArn: described(
      optional(RoleArnText),
      "A new role ARN in the same account; verified before it replaces the current one.",
    ),
    regions: described(
      optional(array(Region).check(maxLength(30))),
      "The regions the account is used in, replacing the current list.",
    ),
  }),
  { id: "PatchAccountRequest" },
);

export const HealthState = zEnum(["HEALTHY", "DEGRADED", "UNHEALTHY"]);
const ExternalIdStatus = zEnum(["CURRENT", "PREVIOUS", "EXPIRED"]);

/** An account's health as the checks left it. */
export const HealthView = object({
  state: HealthState,
  since: Timestamp,
  lastCheckedAt: Timestamp,
  latencyMs: int(),
  consecutiveFailures: int(),
  lastErrorCode: optional(string()),
  lastErrorMessage: optional(string()),
});

export const AccountStatus = described(
  zEnum(["VERIFIED", "FAILED", "DETACHED"]),
  "VERIFIED: usable. FAILED: its last verification failed. DETACHED: registered by a connected organization, then left it, left the chosen OUs or closed; never brokered.",
);

export const Account = doc(
  object({
    tenantId: TenantId,
    accountId: AccountId,
    roleArn: string(),
    partition: string(),
    regions: array(string()),
    status: AccountStatus,
    verifiedAt: optional(Timestamp),
    lastVerification: object({
      at: Timestamp,
      code: optional(zEnum(VERIFICATION_CODES)),
      message: optional(string()),
    }),
    source: object({
      kind: zEnum(["api", "cloudformation", "organization"]),
      stackId: optional(string()),
      templateVersion: described(
        optional(int()),
        "For kind cloudformation: the version of the tenant role template the stack last reported (1: sent none).",
      ),
      templateUpdateRequired: described(
        optional(boolean()),
        "For kind cloudformation: true while the stack runs an older template than the current one. Its updates and deletion cannot be confirmed, so they change nothing here: update the stack to the current template.",
      ),
      managementAccountId: described(
        optional(AccountId),
        "For kind organization: the management account of the organization that registered it.",
      ),
    }),
    frozen: described(
      optional(object({ at: Timestamp, keyId: string() })),
      "Set while the emergency brake is on: the role's deny policy is attached and no session is brokered.",
    ),
    detached: described(
      optional(
        object({
          at: Timestamp,
          reason: zEnum(["LEFT_ORGANIZATION", "OUT_OF_SCOPE", "SUSPENDED", "CLOSED"]),
        }),
      ),
      "Set when status is DETACHED: why the organization's sync stopped brokering the account.",
    ),
    health: described(
      optional(HealthView),
      "Result of the scheduled health checks (and of the last explicit verification).",
    ),
    externalIdStatus: described(
      optional(ExternalIdStatus),
      "Which of the tenant's external IDs the role's trust policy accepted at the last AssumeRole. PREVIOUS: the role still relies on the ID a rotation replaced; update it before the overlap ends. EXPIRED: that overlap has ended and AWS refuses the control plane until the role is updated. Absent until the role was first assumed.",
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Account" },
);

export const AccountListQuery = strictObject({
  limit: PageSize,
  nextToken: NextToken,
  externalIdStatus: described(
    optional(ExternalIdStatus),
    "Only accounts whose role relies on this external ID: PREVIOUS lists the accounts that still need the new ID after a rotation. Pages may then hold fewer items than limit; follow nextToken to the end.",
  ),
});

export const AccountList = doc(object({ items: array(Account), nextToken: optional(string()) }), {
  id: "AccountList",
});

export const OnboardingLink = doc(
  object({
    quickCreateUrl: described(string(), "Open it in the tenant's AWS console to launch the stack."),
    templateUrl: string(),
    stackName: string(),
    region: string(),
    parameters: object({
      ExternalId: string(),
      ControlPlanePrincipalArn: string(),
      RoleName: string(),
      RegistrationTopicArn: string(),
      RegistrationToken: described(
        string(),
        "Bound to this tenant; registers accounts until registrationTokenExpiresAt.",
      ),
    }),
    registrationTokenExpiresAt: Timestamp,
  }),
  { id: "OnboardingLink" },
);

export const OnboardingQuery = strictObject({
  region: described(
    optional(Region),
    "Region to launch the stack in (default: the control plane's region).",
  ),
});

export const AccountPath = strictObject({ tenantId: TenantId, accountId: AccountId });
