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

const FailureCode = zEnum(VERIFICATION_CODES);

export const OrganizationJob = doc(
  object({
    jobId: described(string(), "The job's ID, issued when it starts."),
    kind: described(
      zEnum(["CONNECT", "SYNC"]),
      "CONNECT: started by POST .../organizations; SYNC: by the schedule.",
    ),
    status: described(
      zEnum(["RUNNING", "SUCCEEDED", "FAILED"]),
      "FAILED: stopped on something the tenant must fix (error says what); the next sync tries again.",
    ),
    phase: described(
      zEnum(["LISTING", "REGISTERING", "DETACHING", "DONE"]),
      "LISTING the organization (paced below its API's rate), REGISTERING new members, DETACHING leavers.",
    ),
    startedAt: Timestamp,
    updatedAt: described(
      Timestamp,
      "When the job last saved its progress (every 30 s while it runs).",
    ),
    finishedAt: optional(Timestamp),
    invocations: described(int(), "Invocations of the job function so far."),
    progress: object({
      calls: described(int(), "Organizations API calls made, throttled ones included."),
      throttled: described(int(), "Calls AWS throttled (each retried after a backoff)."),
      listed: described(int(), "Accounts the organization listed so far."),
      members: described(
        int(),
        "Once listed: member accounts in scope (the management account excluded).",
      ),
      toRegister: described(int(), "Once planned: members to register."),
      registered: int(),
      alreadyRegistered: int(),
      failed: described(int(), "Registrations refused (the member role missing, most often)."),
      skipped: described(int(), "Members not ACTIVE, and the management account."),
      detached: described(
        int(),
        "Accounts this organization registered that left it, left the chosen OUs or closed: no longer brokered.",
      ),
      pending: described(
        int(),
        "Not registered because AWS or the table was unavailable: the next sync registers them.",
      ),
    }),
    failures: described(
      array(object({ accountId: AccountId, code: FailureCode, message: string() })),
      "The first 100 registrations refused, with registration's reason code.",
    ),
    error: described(
      optional(object({ code: string(), message: string() })),
      "Why a FAILED job stopped (ACCESS_DENIED, ORGANIZATIONAL_UNIT_NOT_FOUND, NOT_AN_ORGANIZATION, ...).",
    ),
  }),
  { id: "OrganizationJob" },
);

export const Organization = doc(
  object({
    tenantId: TenantId,
    managementAccountId: AccountId,
    managementRoleArn: string(),
    memberRoleName: string(),
    organizationalUnitIds: optional(array(string())),
    organizationId: optional(string()),
    connectedAt: Timestamp,
    lastSync: described(
      optional(Counts),
      "The last finished sync (or connect): when, and what it found and did.",
    ),
    job: described(
      optional(OrganizationJob),
      "The latest connect or sync job: running (with its progress so far) or finished.",
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Organization" },
);

export const ConnectOrganizationResponse = doc(
  object({ organization: Organization, job: OrganizationJob }),
  { id: "ConnectOrganizationResponse" },
);

export const DisconnectQuery = strictObject({
  removeAccounts: described(
    optional(union([literal("true"), literal("false")])),
    "true: also deregister every account the organization registered. Default: they stay.",
  ),
});
