import {
  array,
  int,
  literal,
  maxLength,
  minLength,
  object,
  optional,
  strictObject,
  string,
  union,
  enum as zEnum,
} from "zod/mini";
import { ROLE_NAME_PATTERN } from "../../domain/arn";
import { OU_ID_PATTERN, ROOT_ID_PATTERN } from "../../domain/organization";
import { VERIFICATION_CODES } from "../../domain/verification";
import { RoleArnText } from "./accounts";
import { AccountId, described, doc, matching, TenantId, Timestamp } from "./common";

/** AWS Organizations: connecting a tenant's organization. */
const ParentId = described(
  union([matching(ROOT_ID_PATTERN), matching(OU_ID_PATTERN)]),
  "A root (r-...) or organizational unit (ou-...) ID.",
);

export const ConnectOrganizationRequest = doc(
  strictObject({
    managementAccountId: AccountId,
    managementRoleArn: described(
      RoleArnText,
      "The role infra/org-management-role.yaml created in the management account; its account must be managementAccountId.",
    ),
    memberRoleName: described(
      matching(ROLE_NAME_PATTERN),
      "The member role's name in every member account (the StackSet's MemberRoleName).",
    ),
    organizationalUnitIds: described(
      optional(array(ParentId).check(minLength(1), maxLength(100))),
      "Only the accounts under these roots or OUs, child OUs included. Absent: the whole organization.",
    ),
  }),
  { id: "ConnectOrganizationRequest" },
);

const Counts = object({
  at: Timestamp,
  members: described(int(), "Member accounts in scope (the management account excluded)."),
  registered: int(),
  alreadyRegistered: int(),
  failed: int(),
  skipped: int(),
  detached: int(),
  pending: int(),
});

export const Organization = doc(
  object({
    tenantId: TenantId,
    managementAccountId: AccountId,
    managementRoleArn: string(),
    memberRoleName: string(),
    organizationalUnitIds: optional(array(string())),
    organizationId: optional(string()),
    connectedAt: Timestamp,
    lastSync: described(optional(Counts), "The last sync: when, and what it found and did."),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Organization" },
);

export const SyncReport = doc(
  object({
    registered: array(object({ accountId: AccountId, roleArn: string() })),
    alreadyRegistered: array(object({ accountId: AccountId })),
    failed: described(
      array(object({ accountId: AccountId, code: zEnum(VERIFICATION_CODES), message: string() })),
      "Registration failed, with registration's reason code (the role missing, most often).",
    ),
    skipped: array(
      object({
        accountId: AccountId,
        reason: zEnum([
          "MANAGEMENT_ACCOUNT",
          "SUSPENDED",
          "PENDING_CLOSURE",
          "CLOSED",
          "NOT_ACTIVE",
        ]),
      }),
    ),
    detached: described(
      array(
        object({
          accountId: AccountId,
          reason: zEnum(["LEFT_ORGANIZATION", "OUT_OF_SCOPE", "SUSPENDED", "CLOSED"]),
        }),
      ),
      "Accounts this organization registered that left it, left the chosen OUs or closed: no longer brokered.",
    ),
    pending: described(
      array(object({ accountId: AccountId })),
      "In scope, not reached before the request's time ran out: the next sync registers them.",
    ),
  }),
  { id: "OrganizationSyncReport" },
);

export const ConnectOrganizationResponse = doc(
  object({ organization: Organization, report: SyncReport }),
  { id: "ConnectOrganizationResponse" },
);

export const DisconnectQuery = strictObject({
  removeAccounts: described(
    optional(union([literal("true"), literal("false")])),
    "true: also deregister every account the organization registered. Default: they stay.",
  ),
});
