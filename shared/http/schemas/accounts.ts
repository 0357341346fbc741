import {
  array,
  boolean,
  int,
  maxLength,
  object,
  optional,
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

export const RegisterAccountRequest = /* @__PURE__ */ doc(
  /* @__PURE__ */ strictObject({
    accountId: AccountId,
    roleArn: /* @__PURE__ */ described(
      RoleArnText,
      "The role's ARN: arn:<partition>:iam::<accountId>:role/<optional path/><name>; its account must be accountId.",
    ),
    regions: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ array(Region).check(/* @__PURE__ */ maxLength(30))),
      "Regions the account is used in; verification checks STS in each.",
    ),
  }),
  { id: "RegisterAccountRequest" },
);

export const PatchAccountRequest = /* @__PURE__ */ doc(
  /* @__PURE__ */ strictObject({
    roleArn: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(RoleArnText),
      "A new role ARN in the same account; verified before it replaces the current one.",
    ),
    regions: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ array(Region).check(/* @__PURE__ */ maxLength(30))),
      "The regions the account is used in, replacing the current list.",
    ),
  }),
  { id: "PatchAccountRequest" },
);

export const HealthState = /* @__PURE__ */ zEnum(["HEALTHY", "DEGRADED", "UNHEALTHY"]);
const ExternalIdStatus = /* @__PURE__ */ zEnum(["CURRENT", "PREVIOUS", "EXPIRED"]);

/** An account's health as the checks left it. */
export const HealthView = /* @__PURE__ */ object({
  state: HealthState,
  since: Timestamp,
  lastCheckedAt: Timestamp,
  latencyMs: /* @__PURE__ */ int(),
  consecutiveFailures: /* @__PURE__ */ int(),
  lastErrorCode: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
  lastErrorMessage: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
});

export const AccountStatus = /* @__PURE__ */ described(
  /* @__PURE__ */ zEnum(["VERIFIED", "FAILED", "DETACHED"]),
  "VERIFIED: usable. FAILED: its last verification failed. DETACHED: registered by a connected organization, then left it, left the chosen OUs or closed; never brokered.",
);

export const Account = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    tenantId: TenantId,
    accountId: AccountId,
    roleArn: /* @__PURE__ */ string(),
    partition: /* @__PURE__ */ string(),
    regions: /* @__PURE__ */ array(/* @__PURE__ */ string()),
    status: AccountStatus,
    verifiedAt: /* @__PURE__ */ optional(Timestamp),
    lastVerification: /* @__PURE__ */ object({
      at: Timestamp,
      code: /* @__PURE__ */ optional(/* @__PURE__ */ zEnum(VERIFICATION_CODES)),
      message: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    }),
    source: /* @__PURE__ */ object({
      kind: /* @__PURE__ */ zEnum(["api", "cloudformation", "organization"]),
      stackId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
      templateVersion: /* @__PURE__ */ described(
        /* @__PURE__ */ optional(/* @__PURE__ */ int()),
        "For kind cloudformation: the version of the tenant role template the stack last reported (1: sent none).",
      ),
      templateUpdateRequired: /* @__PURE__ */ described(
        /* @__PURE__ */ optional(/* @__PURE__ */ boolean()),
        "For kind cloudformation: true while the stack runs an older template than the current one. Its updates and deletion cannot be confirmed, so they change nothing here: update the stack to the current template.",
      ),
      managementAccountId: /* @__PURE__ */ described(
        /* @__PURE__ */ optional(AccountId),
        "For kind organization: the management account of the organization that registered it.",
      ),
    }),
    frozen: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(
        /* @__PURE__ */ object({ at: Timestamp, keyId: /* @__PURE__ */ string() }),
      ),
      "Set while the emergency brake is on: the role's deny policy is attached and no session is brokered.",
    ),
    detached: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(
        /* @__PURE__ */ object({
          at: Timestamp,
          reason: /* @__PURE__ */ zEnum([
            "LEFT_ORGANIZATION",
            "OUT_OF_SCOPE",
            "SUSPENDED",
            "CLOSED",
          ]),
        }),
      ),
      "Set when status is DETACHED: why the organization's sync stopped brokering the account.",
    ),
    health: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(HealthView),
      "Result of the scheduled health checks (and of the last explicit verification).",
    ),
    externalIdStatus: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(ExternalIdStatus),
      "Which of the tenant's external IDs the role's trust policy accepted at the last AssumeRole. PREVIOUS: the role still relies on the ID a rotation replaced; update it before the overlap ends. EXPIRED: that overlap has ended and AWS refuses the control plane until the role is updated. Absent until the role was first assumed.",
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Account" },
);

export const AccountListQuery = /* @__PURE__ */ strictObject({
  limit: PageSize,
  nextToken: NextToken,
  externalIdStatus: /* @__PURE__ */ described(
    /* @__PURE__ */ optional(ExternalIdStatus),
    "Only accounts whose role relies on this external ID: PREVIOUS lists the accounts that still need the new ID after a rotation. Pages may then hold fewer items than limit; follow nextToken to the end.",
  ),
});

export const AccountList = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    items: /* @__PURE__ */ array(Account),
    nextToken: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
  }),
  {
    id: "AccountList",
  },
);

export const OnboardingLink = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    quickCreateUrl: /* @__PURE__ */ described(
      /* @__PURE__ */ string(),
      "Open it in the tenant's AWS console to launch the stack.",
    ),
    templateUrl: /* @__PURE__ */ string(),
    stackName: /* @__PURE__ */ string(),
    region: /* @__PURE__ */ string(),
    parameters: /* @__PURE__ */ object({
      ExternalId: /* @__PURE__ */ string(),
      ControlPlanePrincipalArn: /* @__PURE__ */ string(),
      RoleName: /* @__PURE__ */ string(),
      RegistrationTopicArn: /* @__PURE__ */ string(),
      RegistrationToken: /* @__PURE__ */ described(
        /* @__PURE__ */ string(),
        "Bound to this tenant; registers accounts until registrationTokenExpiresAt.",
      ),
    }),
    registrationTokenExpiresAt: Timestamp,
  }),
  { id: "OnboardingLink" },
);

export const OnboardingQuery = /* @__PURE__ */ strictObject({
  region: /* @__PURE__ */ described(
    /* @__PURE__ */ optional(Region),
    "Region to launch the stack in (default: the control plane's region).",
  ),
});

export const AccountPath = /* @__PURE__ */ strictObject({
  tenantId: TenantId,
  accountId: AccountId,
});
