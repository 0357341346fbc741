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
import { AccountId, described, doc, matching, RoleArnText, TenantId, Timestamp } from "./common";

/**
 * AWS Organizations: connecting a tenant's organization. Every call is marked pure, so that a
 * function's bundle keeps only the schemas its route uses (esbuild does not carry zod/mini's own
 * annotations across modules): disconnect carries none of the job's.
 */
const ParentId = /* @__PURE__ */ described(
  /* @__PURE__ */ union([
    /* @__PURE__ */ matching(ROOT_ID_PATTERN),
    /* @__PURE__ */ matching(OU_ID_PATTERN),
  ]),
  "A root (r-...) or organizational unit (ou-...) ID.",
);

export const ConnectOrganizationRequest = /* @__PURE__ */ doc(
  /* @__PURE__ */ strictObject({
    managementAccountId: AccountId,
    managementRoleArn: /* @__PURE__ */ described(
      RoleArnText,
      "The role infra/org-management-role.yaml created in the management account; its account must be managementAccountId.",
    ),
    memberRoleName: /* @__PURE__ */ described(
      /* @__PURE__ */ matching(ROLE_NAME_PATTERN),
      "The member role's name in every member account (the StackSet's MemberRoleName).",
    ),
    organizationalUnitIds: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(
        /* @__PURE__ */ array(ParentId).check(
          /* @__PURE__ */ minLength(1),
          /* @__PURE__ */ maxLength(100),
        ),
      ),
      "Only the accounts under these roots or OUs, child OUs included. Absent: the whole organization.",
    ),
  }),
  { id: "ConnectOrganizationRequest" },
);

const Counts = /* @__PURE__ */ object({
  at: Timestamp,
  members: /* @__PURE__ */ described(
    /* @__PURE__ */ int(),
    "Member accounts in scope (the management account excluded).",
  ),
  registered: /* @__PURE__ */ int(),
  alreadyRegistered: /* @__PURE__ */ int(),
  failed: /* @__PURE__ */ int(),
  skipped: /* @__PURE__ */ int(),
  detached: /* @__PURE__ */ int(),
  pending: /* @__PURE__ */ int(),
});

/** Terse on purpose: every organization function bundles these strings (docs/usage.md explains). */
export const OrganizationJob = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    jobId: /* @__PURE__ */ string(),
    kind: /* @__PURE__ */ described(
      /* @__PURE__ */ zEnum(["CONNECT", "SYNC"]),
      "CONNECT: by POST; SYNC: by the schedule.",
    ),
    status: /* @__PURE__ */ described(
      /* @__PURE__ */ zEnum(["RUNNING", "SUCCEEDED", "FAILED"]),
      "FAILED: the tenant's to fix (see error); the next sync retries.",
    ),
    phase: /* @__PURE__ */ zEnum(["LISTING", "REGISTERING", "DETACHING", "DONE"]),
    startedAt: Timestamp,
    updatedAt: /* @__PURE__ */ described(Timestamp, "Last saved progress (every 30 s)."),
    finishedAt: /* @__PURE__ */ optional(Timestamp),
    invocations: /* @__PURE__ */ int(),
    progress: /* @__PURE__ */ object({
      calls: /* @__PURE__ */ described(
        /* @__PURE__ */ int(),
        "Organizations API calls, throttled ones included.",
      ),
      throttled: /* @__PURE__ */ int(),
      listed: /* @__PURE__ */ int(),
      members: /* @__PURE__ */ int(),
      toRegister: /* @__PURE__ */ int(),
      registered: /* @__PURE__ */ int(),
      alreadyRegistered: /* @__PURE__ */ int(),
      failed: /* @__PURE__ */ int(),
      skipped: /* @__PURE__ */ int(),
      detached: /* @__PURE__ */ int(),
      pending: /* @__PURE__ */ int(),
    }),
    failures: /* @__PURE__ */ described(
      /* @__PURE__ */ array(
        /* @__PURE__ */ object({
          accountId: AccountId,
          code: /* @__PURE__ */ zEnum(VERIFICATION_CODES),
          message: /* @__PURE__ */ string(),
        }),
      ),
      "The first 100 refused registrations.",
    ),
    error: /* @__PURE__ */ optional(
      /* @__PURE__ */ object({ code: /* @__PURE__ */ string(), message: /* @__PURE__ */ string() }),
    ),
  }),
  { id: "OrganizationJob" },
);

export const Organization = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    tenantId: TenantId,
    managementAccountId: AccountId,
    managementRoleArn: /* @__PURE__ */ string(),
    memberRoleName: /* @__PURE__ */ string(),
    organizationalUnitIds: /* @__PURE__ */ optional(
      /* @__PURE__ */ array(/* @__PURE__ */ string()),
    ),
    organizationId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    connectedAt: Timestamp,
    lastSync: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(Counts),
      "The last finished sync's counts.",
    ),
    job: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(OrganizationJob),
      "The latest connect or sync job.",
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Organization" },
);

export const ConnectOrganizationResponse = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({ organization: Organization, job: OrganizationJob }),
  { id: "ConnectOrganizationResponse" },
);

export const DisconnectQuery = /* @__PURE__ */ strictObject({
  removeAccounts: /* @__PURE__ */ described(
    /* @__PURE__ */ optional(
      /* @__PURE__ */ union([/* @__PURE__ */ literal("true"), /* @__PURE__ */ literal("false")]),
    ),
    "true: also deregister every account the organization registered. Default: they stay.",
  ),
});
