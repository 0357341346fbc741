import { en } from "zod/locales";
import {
  array,
  boolean,
  coerce,
  config,
  extend,
  globalRegistry,
  int,
  literal,
  maximum,
  maxLength,
  minimum,
  minLength,
  object,
  optional,
  record,
  refine,
  regex,
  strictObject,
  string,
  type ZodMiniType,
  enum as zEnum,
  unknown as zUnknown,
} from "zod/mini";
import { API_KEY_ROLES, SERVICE_NAME_PATTERN } from "../domain/api-key";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "../domain/arn";
import { KEY_ID_PATTERN, TENANT_ID_PATTERN } from "../domain/ids";
import { PERMISSION_SET_NAME_PATTERN } from "../domain/permission-set";
import { VERIFICATION_CODES } from "../domain/verification";

/**
 * Every request and response shape of the REST API. Handlers validate with these, and
 * scripts/openapi.ts generates docs/openapi.yaml from them, so the document cannot drift.
 * Schemas registered with an `id` become named components in the document.
 *
 * Written with zod/mini, whose functions tree-shake: zod's classic chained API weighs ~97 KB in
 * every bundle, this ~20 KB (docs/performance.md).
 */
config(en());

type Meta = {
  id?: string;
  description?: string;
  examples?: unknown[];
  format?: string;
};

/** Registers documentation for a schema (and a component name, with `id`); returns the schema. */
function doc<T extends ZodMiniType>(schema: T, meta: Meta): T {
  globalRegistry.add(schema, meta);
  return schema;
}

const described = <T extends ZodMiniType>(schema: T, description: string) =>
  doc(schema, { description });
const matching = (pattern: RegExp) => string().check(regex(pattern));

// Printable text: no C0 control characters and no DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;

export const TenantId = doc(matching(TENANT_ID_PATTERN), {
  id: "TenantId",
  description: "Tenant identifier, issued by the control plane.",
  examples: ["tnt_01jf3m9x7k2q8r5t6v4w0y1z2a"],
});

export const KeyId = doc(matching(KEY_ID_PATTERN), {
  id: "KeyId",
  description: "Public identifier of an API key (not the secret).",
  examples: ["key_01jf3m9x7k2q8r5t6v4w0y1z2a"],
});

export const ServiceName = doc(matching(SERVICE_NAME_PATTERN), {
  id: "ServiceName",
  description:
    "Name of an internal service: 2 to 32 characters of [A-Za-z0-9_+=,.@-], starting with a letter or digit. " +
    "It becomes the STS SourceIdentity and part of session names.",
  examples: ["billing-exporter"],
});

/** Timestamps we emit: ISO 8601 in UTC, as produced by Date#toISOString. */
const Timestamp = doc(string(), { format: "date-time", examples: ["2026-11-23T10:00:00.000Z"] });

export const ExternalIdView = doc(
  object({
    externalId: string(),
    status: zEnum(["CURRENT", "PREVIOUS"]),
    validFrom: optional(Timestamp),
    validUntil: described(
      optional(Timestamp),
      "For a PREVIOUS external ID: when it stops being accepted.",
    ),
  }),
  { id: "ExternalIdView" },
);

export const Tenant = doc(
  object({
    tenantId: TenantId,
    name: string(),
    status: literal("ACTIVE"),
    suspended: described(boolean(), "While true, no session is issued for this tenant."),
    suspendedAt: optional(Timestamp),
    externalId: described(
      string(),
      "The current external ID; put it in the tenant role's trust policy.",
    ),
    externalIds: described(
      array(ExternalIdView),
      "Every external ID a trust policy may use now: the current one, and a rotated-out one during its overlap.",
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Tenant" },
);

export const TenantList = doc(object({ items: array(Tenant), nextToken: optional(string()) }), {
  id: "TenantList",
});

export const CreateTenantRequest = doc(
  strictObject({
    name: described(
      string().check(
        minLength(1),
        maxLength(128),
        regex(PRINTABLE),
        refine((s) => s.trim().length > 0, "name must not be blank"),
      ),
      "Display name of the tenant: 1 to 128 printable characters.",
    ),
  }),
  { id: "CreateTenantRequest" },
);

export const EmptyRequest = doc(strictObject({}), { id: "EmptyRequest" });

export const ApiKeyRole = doc(zEnum(API_KEY_ROLES), { id: "ApiKeyRole" });

export const ApiKey = doc(
  object({
    keyId: KeyId,
    role: ApiKeyRole,
    tenantId: optional(TenantId),
    service: optional(ServiceName),
    description: optional(string()),
    createdAt: Timestamp,
    revokedAt: optional(Timestamp),
  }),
  { id: "ApiKey" },
);

export const CreatedApiKey = doc(
  extend(ApiKey, {
    apiKey: described(string(), "The secret. Shown only in this response; store it now."),
  }),
  { id: "CreatedApiKey" },
);

export const ApiKeyList = doc(object({ items: array(ApiKey), nextToken: optional(string()) }), {
  id: "ApiKeyList",
});

export const CreateApiKeyRequest = doc(
  strictObject({
    role: ApiKeyRole,
    tenantId: described(optional(TenantId), "Required for role tenant; not allowed otherwise."),
    service: described(optional(ServiceName), "Required for role service; not allowed otherwise."),
    description: optional(string().check(maxLength(256), regex(PRINTABLE))),
  }),
  { id: "CreateApiKeyRequest" },
);

export const Health = doc(object({ status: literal("ok") }), { id: "Health" });

export const ErrorResponse = doc(
  object({
    error: object({
      code: described(string(), "Stable, machine-readable error code."),
      message: string(),
    }),
    requestId: string(),
  }),
  { id: "Error" },
);

const PageSize = described(
  optional(coerce.number().check(int(), minimum(1), maximum(100))),
  "Page size, 1 to 100 (default 50).",
);
const NextToken = described(
  optional(string().check(minLength(1), maxLength(2048))),
  "From the previous page's nextToken.",
);

export const ListQuery = strictObject({ limit: PageSize, nextToken: NextToken });

export const TenantPath = strictObject({ tenantId: TenantId });
export const KeyPath = strictObject({ keyId: KeyId });

export const AccountId = doc(matching(ACCOUNT_ID_PATTERN), {
  id: "AccountId",
  description: "AWS account ID: exactly 12 digits, as a string (leading zeros are kept).",
  examples: ["012345678901"],
});

export const Region = doc(matching(REGION_PATTERN), {
  id: "Region",
  description: "AWS region name.",
  examples: ["eu-west-1"],
});

export const RegisterAccountRequest = doc(
  strictObject({
    accountId: AccountId,
    roleArn: described(
      string().check(
        minLength(20),
        maxLength(2048),
        regex(/^arn:[a-z0-9-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/),
      ),
      "The role's ARN: arn:<partition>:iam::<accountId>:role/<optional path/><name>; its account must be accountId.",
    ),
    regions: described(
      optional(array(Region).check(maxLength(30))),
      "Regions the account is used in; verification checks STS in each.",
    ),
  }),
  { id: "RegisterAccountRequest" },
);

export const Account = doc(
  object({
    tenantId: TenantId,
    accountId: AccountId,
    roleArn: string(),
    partition: string(),
    regions: array(string()),
    status: zEnum(["VERIFIED", "FAILED"]),
    verifiedAt: optional(Timestamp),
    lastVerification: object({
      at: Timestamp,
      code: optional(zEnum(VERIFICATION_CODES)),
      message: optional(string()),
    }),
    source: object({ kind: zEnum(["api", "cloudformation"]), stackId: optional(string()) }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: "Account" },
);

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

export const PermissionSetName = doc(matching(PERMISSION_SET_NAME_PATTERN), {
  id: "PermissionSetName",
  description: "1 to 64 of letters, digits, _ . -, starting with a letter or digit.",
  examples: ["read-only-s3"],
});

export const PutPermissionSetRequest = doc(
  strictObject({
    policy: described(
      record(string(), zUnknown()),
      'An IAM policy document used as the session policy: {"Version": "2012-10-17", "Statement": [...]}, no Principal; at most 2,048 characters without whitespace.',
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

const SessionSeconds = () => int().check(minimum(900), maximum(3600));

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
    keyId: string(),
    service: string(),
    tenantId: string(),
    accountId: string(),
    outcome: zEnum(["ISSUED", "REFUSED", "FAILED"]),
    code: optional(string()),
    roleArn: optional(string()),
    permissionSet: optional(string()),
    durationSeconds: optional(int()),
    region: optional(string()),
    sessionName: optional(string()),
    sourceIdentity: optional(string()),
    expiration: optional(Timestamp),
    cacheHit: optional(boolean()),
  }),
  { id: "AuditRecord" },
);

export const AuditList = doc(object({ items: array(AuditRecord), nextToken: optional(string()) }), {
  id: "AuditList",
});

const IsoTime = matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);
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
