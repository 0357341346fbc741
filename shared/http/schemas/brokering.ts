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

export const CallerView = doc(
  object({
    keyId: string(),
    role: described(zEnum(["admin", "tenant", "service"]), "The key's role."),
    tenantId: optional(string()),
    service: optional(string()),
    grants: optional(
      described(
        array(
          object({
            grantId: GrantId,
            tenantId: described(string(), 'A tenant ID, or "*" for a grant for every tenant.'),
            permissionSets: array(string()),
            maxDurationSeconds: int(),
            accounts: optional(
              described(
                array(
                  object({
                    accountId: AccountId,
                    status: described(
                      zEnum(["VERIFIED", "FAILED"]),
                      "VERIFIED: brokered. FAILED: its last verification failed; refused until verified again.",
                    ),
                    regions: array(string()),
                    frozen: described(boolean(), "True while the emergency brake is on."),
                  }),
                ),
                "The tenant's accounts that are not detached (at most 1000); absent for a grant for every tenant.",
              ),
            ),
            accountsTruncated: optional(boolean()),
          }),
        ),
        "A service key's grants, with the accounts each reaches.",
      ),
    ),
  }),
  { id: "CallerView" },
);

export const CreateSessionRequest = doc(
  strictObject({
    tenantId: TenantId,
    accountId: AccountId,
    permissionSet: described(
      optional(PermissionSetName),
      "One of the grant's permission sets; may be left out when the grant has exactly one.",
    ),
    durationSeconds: described(
      optional(SessionSeconds()),
      "900 to 3600 (role chaining caps Lambda-issued sessions at one hour); default: the grant's maximum.",
    ),
    region: described(
      optional(Region),
      "Region whose STS endpoint issues the session; default: the account's first region.",
    ),
  }),
  { id: "CreateSessionRequest" },
);

export const Session = doc(
  object({
    credentials: object({
      accessKeyId: string(),
      secretAccessKey: string(),
      sessionToken: string(),
      expiration: Timestamp,
    }),
    assumedRoleArn: string(),
    sessionName: string(),
  }),
  { id: "Session" },
);

export const AuditRecord = doc(
  object({
    requestId: string(),
    at: Timestamp,
    keyId: described(
      string(),
      'The acting API key; "stack" for a stack\'s message, "system" for scheduled work.',
    ),
    keyRole: described(
      optional(zEnum(["admin", "tenant", "service", "stack", "system"])),
      "The acting key's role, or who acted without a key.",
    ),
    service: described(optional(string()), "The service of a service key, or the scheduled job."),
    tenantId: optional(string()),
    accountId: optional(string()),
    action: described(
      optional(zEnum(AUDIT_ACTIONS)),
      "What was done; a session request when absent (older records).",
    ),
    outcome: zEnum(["ISSUED", "REFUSED", "FAILED", "APPLIED", "RELEASED", "SUCCEEDED"]),
    code: optional(string()),
    roleArn: optional(string()),
    permissionSet: optional(string()),
    durationSeconds: optional(int()),
    region: optional(string()),
    sessionName: optional(string()),
    sourceIdentity: optional(string()),
    expiration: optional(Timestamp),
    cacheHit: optional(boolean()),
    source: optional(zEnum(["api", "cloudformation", "organization"])),
    stackId: optional(string()),
    managementAccountId: optional(string()),
    fromState: described(optional(string()), "The account's lifecycle state before the change."),
    toState: described(optional(string()), "The account's lifecycle state after the change."),
    target: described(
      optional(string()),
      "The API key, grant or permission set created or removed; the stack's request type; on a session refused for a tenant that does not exist (platform trail), the tenant ID it named.",
    ),
    registered: optional(int()),
    detached: optional(int()),
    forced: described(
      optional(boolean()),
      "A rotation forced past accounts not seen on the current external ID.",
    ),
    laggingAccounts: described(optional(int()), "A forced rotation: how many such accounts."),
  }),
  { id: "AuditRecord" },
);

export const AuditList = doc(object({ items: array(AuditRecord), nextToken: optional(string()) }), {
  id: "AuditList",
});

export const AuditQuery = strictObject({
  from: described(optional(IsoTime), "Earliest record (ISO 8601, UTC), inclusive."),
  to: described(
    optional(matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/)),
    "Latest record (ISO 8601, UTC), inclusive.",
  ),
  limit: PageSize,
  nextToken: NextToken,
});

export const PermissionSetPath = strictObject({ name: PermissionSetName });

export const GrantPath = strictObject({ grantId: GrantId });
