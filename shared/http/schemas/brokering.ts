import {
  array,
  boolean,
  int,
  maxLength,
  minLength,
  object,
  optional,
  record,
  regex,
  strictObject,
  string,
  enum as zEnum,
  unknown as zUnknown,
} from "zod/mini";
import { AUDIT_ACTIONS } from "../../domain/audit";
import {
  AccountId,
  described,
  doc,
  IsoTime,
  matching,
  NextToken,
  PageSize,
  PermissionSetName,
  PRINTABLE,
  Region,
  ServiceName,
  SessionSeconds,
  TenantId,
  Timestamp,
} from "./common";

/** Permission sets, grants, sessions and audit. */
export const PutPermissionSetRequest = doc(
  strictObject({
    policy: described(
      record(string(), zUnknown()),
      'An IAM policy document used as the session policy: {"Version": "2012-10-17", "Statement": [...]}, no Principal; at most 2,048 characters without whitespace; its keys and strings printable Latin-1 (U+0020 to U+007E, U+00A0 to U+00FF), the only characters IAM accepts in a policy.',
    ),
    description: optional(string().check(maxLength(256), regex(PRINTABLE))),
  }),
  { id: "PutPermissionSetRequest" },
);

export const PermissionSet = doc(
  object({
    name: PermissionSetName,
    policy: record(string(), zUnknown()),
    description: optional(string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "PermissionSet" },
);

export const PermissionSetList = doc(
  object({ items: array(PermissionSet), nextToken: optional(string()) }),
  {
    id: "PermissionSetList",
  },
);

export const CreateGrantRequest = doc(
  strictObject({
    service: ServiceName,
    tenantId: described(
      matching(/^(\*|tnt_[0-9a-hjkmnp-tv-z]{26})$/),
      'A tenant ID, or "*" for every tenant.',
    ),
    permissionSets: array(PermissionSetName).check(minLength(1), maxLength(20)),
    maxDurationSeconds: described(
      optional(SessionSeconds()),
      "Longest session the service may ask for (default 3600).",
    ),
  }),
  { id: "CreateGrantRequest" },
);

export const GrantId = doc(matching(/^grt_[0-9a-hjkmnp-tv-z]{26}$/), {
  id: "GrantId",
  examples: ["grt_01jf3m9x7k2q8r5t6v4w0y1z2a"],
});

export const Grant = doc(
  object({
    grantId: GrantId,
    service: string(),
    tenantId: string(),
    permissionSets: array(string()),
    maxDurationSeconds: int(),
    createdAt: Timestamp,
  }),
  { id: "Grant" },
);

export const GrantList = doc(object({ items: array(Grant), nextToken: optional(string()) }), {
  id: "GrantList",
});

export const CallerView = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    keyId: /* @__PURE__ */ string(),
    role: /* @__PURE__ */ described(
      /* @__PURE__ */ zEnum(["admin", "tenant", "service"]),
      "The key's role.",
    ),
    tenantId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    service: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    grants: /* @__PURE__ */ optional(
      /* @__PURE__ */ described(
        /* @__PURE__ */ array(
          /* @__PURE__ */ object({
            grantId: GrantId,
            tenantId: /* @__PURE__ */ described(
              /* @__PURE__ */ string(),
              'A tenant ID, or "*" for a grant for every tenant.',
            ),
            permissionSets: /* @__PURE__ */ array(/* @__PURE__ */ string()),
            maxDurationSeconds: /* @__PURE__ */ int(),
            accounts: /* @__PURE__ */ optional(
              /* @__PURE__ */ described(
                /* @__PURE__ */ array(
                  /* @__PURE__ */ object({
                    accountId: AccountId,
                    status: /* @__PURE__ */ described(
                      /* @__PURE__ */ zEnum(["VERIFIED", "FAILED"]),
                      "VERIFIED: brokered. FAILED: its last verification failed; refused until verified again.",
                    ),
                    regions: /* @__PURE__ */ array(/* @__PURE__ */ string()),
                    frozen: /* @__PURE__ */ described(
                      /* @__PURE__ */ boolean(),
                      "True while the emergency brake is on.",
                    ),
                  }),
                ),
                "The tenant's accounts that are not detached (at most 1000); absent for a grant for every tenant.",
              ),
            ),
            accountsTruncated: /* @__PURE__ */ optional(/* @__PURE__ */ boolean()),
          }),
        ),
        "A service key's grants, with the accounts each reaches.",
      ),
    ),
  }),
  { id: "CallerView" },
);

export const CreateSessionRequest = /* @__PURE__ */ doc(
  /* @__PURE__ */ strictObject({
    tenantId: TenantId,
    accountId: AccountId,
    permissionSet: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(PermissionSetName),
      "One of the grant's permission sets; may be left out when the grant has exactly one.",
    ),
    durationSeconds: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ SessionSeconds()),
      "900 to 3600 (role chaining caps Lambda-issued sessions at one hour); default: the grant's maximum.",
    ),
    region: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(Region),
      "Region whose STS endpoint issues the session; default: the account's first region.",
    ),
  }),
  { id: "CreateSessionRequest" },
);

export const Session = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    credentials: /* @__PURE__ */ object({
      accessKeyId: /* @__PURE__ */ string(),
      secretAccessKey: /* @__PURE__ */ string(),
      sessionToken: /* @__PURE__ */ string(),
      expiration: Timestamp,
    }),
    assumedRoleArn: /* @__PURE__ */ string(),
    sessionName: /* @__PURE__ */ string(),
  }),
  { id: "Session" },
);

export const AuditRecord = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    requestId: /* @__PURE__ */ string(),
    at: Timestamp,
    keyId: /* @__PURE__ */ described(
      /* @__PURE__ */ string(),
      'The acting API key; "stack" for a stack\'s message, "system" for scheduled work.',
    ),
    keyRole: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(
        /* @__PURE__ */ zEnum(["admin", "tenant", "service", "stack", "system"]),
      ),
      "The acting key's role, or who acted without a key.",
    ),
    service: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ string()),
      "The service of a service key, or the scheduled job.",
    ),
    tenantId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    accountId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    action: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ zEnum(AUDIT_ACTIONS)),
      "What was done; a session request when absent (older records).",
    ),
    outcome: /* @__PURE__ */ zEnum([
      "ISSUED",
      "REFUSED",
      "FAILED",
      "APPLIED",
      "RELEASED",
      "SUCCEEDED",
    ]),
    code: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    roleArn: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    permissionSet: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    durationSeconds: /* @__PURE__ */ optional(/* @__PURE__ */ int()),
    region: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    sessionName: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    sourceIdentity: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    expiration: /* @__PURE__ */ optional(Timestamp),
    cacheHit: /* @__PURE__ */ optional(/* @__PURE__ */ boolean()),
    source: /* @__PURE__ */ optional(
      /* @__PURE__ */ zEnum(["api", "cloudformation", "organization"]),
    ),
    stackId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    managementAccountId: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
    fromState: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ string()),
      "The account's lifecycle state before the change.",
    ),
    toState: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ string()),
      "The account's lifecycle state after the change.",
    ),
    target: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ string()),
      "The API key, grant or permission set created or removed; the stack's request type; on a session refused for a tenant that does not exist (platform trail), the tenant ID it named.",
    ),
    registered: /* @__PURE__ */ optional(/* @__PURE__ */ int()),
    detached: /* @__PURE__ */ optional(/* @__PURE__ */ int()),
    forced: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ boolean()),
      "A rotation forced past accounts not seen on the current external ID.",
    ),
    laggingAccounts: /* @__PURE__ */ described(
      /* @__PURE__ */ optional(/* @__PURE__ */ int()),
      "A forced rotation: how many such accounts.",
    ),
  }),
  { id: "AuditRecord" },
);

export const AuditList = /* @__PURE__ */ doc(
  /* @__PURE__ */ object({
    items: /* @__PURE__ */ array(AuditRecord),
    nextToken: /* @__PURE__ */ optional(/* @__PURE__ */ string()),
  }),
  {
    id: "AuditList",
  },
);

export const AuditQuery = /* @__PURE__ */ strictObject({
  from: /* @__PURE__ */ described(
    /* @__PURE__ */ optional(IsoTime),
    "Earliest record (ISO 8601, UTC), inclusive.",
  ),
  to: /* @__PURE__ */ described(
    /* @__PURE__ */ optional(
      /* @__PURE__ */ matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/),
    ),
    "Latest record (ISO 8601, UTC), inclusive.",
  ),
  limit: PageSize,
  nextToken: NextToken,
});

export const PermissionSetPath = strictObject({ name: PermissionSetName });

export const GrantPath = strictObject({ grantId: GrantId });
