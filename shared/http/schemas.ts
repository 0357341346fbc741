import {
  array,
  boolean,
  coerce,
  int,
  literal,
  object,
  record,
  strictObject,
  string,
  enum as zEnum,
  unknown as zUnknown,
} from "zod";
import { API_KEY_ROLES, SERVICE_NAME_PATTERN } from "../domain/api-key";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "../domain/arn";
import { KEY_ID_PATTERN, TENANT_ID_PATTERN } from "../domain/ids";
import { PERMISSION_SET_NAME_PATTERN } from "../domain/permission-set";
import { VERIFICATION_CODES } from "../domain/verification";

/**
 * Every request and response shape of the REST API. Handlers validate with these, and
 * scripts/openapi.ts generates docs/openapi.yaml from them, so the document cannot drift.
 * Schemas with an `id` become named components in the document.
 */

// Named imports only: `z.` namespace access defeats tree-shaking and costs ~370 KB per bundle.
// Printable text: no C0 control characters and no DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;

export const TenantId = string()
  .regex(TENANT_ID_PATTERN)
  .meta({
    id: "TenantId",
    description: "Tenant identifier, issued by the control plane.",
    examples: ["tnt_01jf3m9x7k2q8r5t6v4w0y1z2a"],
  });

export const KeyId = string()
  .regex(KEY_ID_PATTERN)
  .meta({
    id: "KeyId",
    description: "Public identifier of an API key (not the secret).",
    examples: ["key_01jf3m9x7k2q8r5t6v4w0y1z2a"],
  });

export const ServiceName = string()
  .regex(SERVICE_NAME_PATTERN)
  .meta({
    id: "ServiceName",
    description:
      "Name of an internal service: 2 to 32 characters of [A-Za-z0-9_+=,.@-], starting with a letter or digit. " +
      "It becomes the STS SourceIdentity and part of session names.",
    examples: ["billing-exporter"],
  });

/** Timestamps we emit: ISO 8601 in UTC, as produced by Date#toISOString. */
const Timestamp = string().meta({ format: "date-time", examples: ["2026-11-23T10:00:00.000Z"] });

export const ExternalIdView = object({
  externalId: string(),
  status: zEnum(["CURRENT", "PREVIOUS"]),
  validFrom: Timestamp.optional(),
  validUntil: Timestamp.optional().describe(
    "For a PREVIOUS external ID: when it stops being accepted.",
  ),
}).meta({ id: "ExternalIdView" });

export const Tenant = object({
  tenantId: TenantId,
  name: string(),
  status: literal("ACTIVE"),
  externalId: string().describe(
    "The current external ID; put it in the tenant role's trust policy.",
  ),
  externalIds: array(ExternalIdView).describe(
    "Every external ID a trust policy may use now: the current one, and a rotated-out one during its overlap.",
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: "Tenant" });

export const TenantList = object({ items: array(Tenant), nextToken: string().optional() }).meta({
  id: "TenantList",
});

export const CreateTenantRequest = strictObject({
  name: string()
    .min(1)
    .max(128)
    .regex(PRINTABLE)
    .refine((s) => s.trim().length > 0, "name must not be blank")
    .describe("Display name of the tenant: 1 to 128 printable characters."),
}).meta({ id: "CreateTenantRequest" });

export const EmptyRequest = strictObject({}).meta({ id: "EmptyRequest" });

export const ApiKeyRole = zEnum(API_KEY_ROLES).meta({ id: "ApiKeyRole" });

export const ApiKey = object({
  keyId: KeyId,
  role: ApiKeyRole,
  tenantId: TenantId.optional(),
  service: ServiceName.optional(),
  description: string().optional(),
  createdAt: Timestamp,
  revokedAt: Timestamp.optional(),
}).meta({ id: "ApiKey" });

export const CreatedApiKey = ApiKey.extend({
  apiKey: string().describe("The secret. Shown only in this response; store it now."),
}).meta({ id: "CreatedApiKey" });

export const ApiKeyList = object({ items: array(ApiKey), nextToken: string().optional() }).meta({
  id: "ApiKeyList",
});

export const CreateApiKeyRequest = strictObject({
  role: ApiKeyRole,
  tenantId: TenantId.optional().describe("Required for role tenant; not allowed otherwise."),
  service: ServiceName.optional().describe("Required for role service; not allowed otherwise."),
  description: string().max(256).regex(PRINTABLE).optional(),
}).meta({ id: "CreateApiKeyRequest" });

export const Health = object({ status: literal("ok") }).meta({ id: "Health" });

export const ErrorResponse = object({
  error: object({
    code: string().describe("Stable, machine-readable error code."),
    message: string(),
  }),
  requestId: string(),
}).meta({ id: "Error" });

export const ListQuery = strictObject({
  limit: coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("Page size, 1 to 100 (default 50)."),
  nextToken: string().min(1).max(2048).optional().describe("From the previous page's nextToken."),
});

export const TenantPath = strictObject({ tenantId: TenantId });
export const KeyPath = strictObject({ keyId: KeyId });

export const AccountId = string()
  .regex(ACCOUNT_ID_PATTERN)
  .meta({
    id: "AccountId",
    description: "AWS account ID: exactly 12 digits, as a string (leading zeros are kept).",
    examples: ["012345678901"],
  });

export const Region = string()
  .regex(REGION_PATTERN)
  .meta({
    id: "Region",
    description: "AWS region name.",
    examples: ["eu-west-1"],
  });

export const RegisterAccountRequest = strictObject({
  accountId: AccountId,
  roleArn: string()
    .min(20)
    .max(2048)
    .regex(/^arn:[a-z0-9-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/)
    .describe(
      "The role's ARN: arn:<partition>:iam::<accountId>:role/<optional path/><name>; its account must be accountId.",
    ),
  regions: array(Region)
    .max(30)
    .optional()
    .describe("Regions the account is used in; verification checks STS in each."),
}).meta({ id: "RegisterAccountRequest" });

export const Account = object({
  tenantId: TenantId,
  accountId: AccountId,
  roleArn: string(),
  partition: string(),
  regions: array(string()),
  status: zEnum(["VERIFIED", "FAILED"]),
  verifiedAt: Timestamp.optional(),
  lastVerification: object({
    at: Timestamp,
    code: zEnum(VERIFICATION_CODES).optional(),
    message: string().optional(),
  }),
  source: object({ kind: zEnum(["api", "cloudformation"]), stackId: string().optional() }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: "Account" });

export const AccountList = object({ items: array(Account), nextToken: string().optional() }).meta({
  id: "AccountList",
});

export const OnboardingLink = object({
  quickCreateUrl: string().describe("Open it in the tenant's AWS console to launch the stack."),
  templateUrl: string(),
  stackName: string(),
  region: string(),
  parameters: object({
    ExternalId: string(),
    ControlPlanePrincipalArn: string(),
    RoleName: string(),
    RegistrationTopicArn: string(),
    RegistrationToken: string().describe(
      "Bound to this tenant; registers accounts until registrationTokenExpiresAt.",
    ),
  }),
  registrationTokenExpiresAt: Timestamp,
}).meta({ id: "OnboardingLink" });

export const OnboardingQuery = strictObject({
  region: Region.optional().describe(
    "Region to launch the stack in (default: the control plane's region).",
  ),
});

export const AccountPath = strictObject({ tenantId: TenantId, accountId: AccountId });

export const PermissionSetName = string()
  .regex(PERMISSION_SET_NAME_PATTERN)
  .meta({
    id: "PermissionSetName",
    description: "1 to 64 of letters, digits, _ . -, starting with a letter or digit.",
    examples: ["read-only-s3"],
  });

export const PutPermissionSetRequest = strictObject({
  policy: record(string(), zUnknown()).describe(
    'An IAM policy document used as the session policy: {"Version": "2012-10-17", "Statement": [...]}, no Principal; at most 2,048 characters without whitespace.',
  ),
  description: string().max(256).regex(PRINTABLE).optional(),
}).meta({ id: "PutPermissionSetRequest" });

export const PermissionSet = object({
  name: PermissionSetName,
  policy: record(string(), zUnknown()),
  description: string().optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: "PermissionSet" });

export const PermissionSetList = object({
  items: array(PermissionSet),
  nextToken: string().optional(),
}).meta({ id: "PermissionSetList" });

export const GrantTenant = string()
  .regex(/^(\*|tnt_[0-9a-hjkmnp-tv-z]{26})$/)
  .describe('A tenant ID, or "*" for every tenant.');

export const CreateGrantRequest = strictObject({
  service: ServiceName,
  tenantId: GrantTenant,
  permissionSets: array(PermissionSetName).min(1).max(20),
  maxDurationSeconds: int()
    .min(900)
    .max(3600)
    .optional()
    .describe("Longest session the service may ask for (default 3600)."),
}).meta({ id: "CreateGrantRequest" });

export const GrantId = string()
  .regex(/^grt_[0-9a-hjkmnp-tv-z]{26}$/)
  .meta({ id: "GrantId", examples: ["grt_01jf3m9x7k2q8r5t6v4w0y1z2a"] });

export const Grant = object({
  grantId: GrantId,
  service: string(),
  tenantId: string(),
  permissionSets: array(string()),
  maxDurationSeconds: int(),
  createdAt: Timestamp,
}).meta({ id: "Grant" });

export const GrantList = object({ items: array(Grant), nextToken: string().optional() }).meta({
  id: "GrantList",
});

export const CreateSessionRequest = strictObject({
  tenantId: TenantId,
  accountId: AccountId,
  permissionSet: PermissionSetName.optional().describe(
    "One of the grant's permission sets; may be left out when the grant has exactly one.",
  ),
  durationSeconds: int()
    .min(900)
    .max(3600)
    .optional()
    .describe(
      "900 to 3600 (role chaining caps Lambda-issued sessions at one hour); default: the grant's maximum.",
    ),
  region: Region.optional().describe(
    "Region whose STS endpoint issues the session; default: the account's first region.",
  ),
}).meta({ id: "CreateSessionRequest" });

export const Session = object({
  credentials: object({
    accessKeyId: string(),
    secretAccessKey: string(),
    sessionToken: string(),
    expiration: Timestamp,
  }),
  assumedRoleArn: string(),
  sessionName: string(),
}).meta({ id: "Session" });

export const AuditRecord = object({
  requestId: string(),
  at: Timestamp,
  keyId: string(),
  service: string(),
  tenantId: string(),
  accountId: string(),
  outcome: zEnum(["ISSUED", "REFUSED", "FAILED"]),
  code: string().optional(),
  roleArn: string().optional(),
  permissionSet: string().optional(),
  durationSeconds: int().optional(),
  region: string().optional(),
  sessionName: string().optional(),
  sourceIdentity: string().optional(),
  expiration: Timestamp.optional(),
  cacheHit: boolean().optional(),
}).meta({ id: "AuditRecord" });

export const AuditList = object({ items: array(AuditRecord), nextToken: string().optional() }).meta(
  { id: "AuditList" },
);

const IsoTime = string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);
export const AuditQuery = strictObject({
  from: IsoTime.optional().describe("Earliest record (ISO 8601, UTC), inclusive."),
  to: IsoTime.optional().describe("Latest record (ISO 8601, UTC), inclusive."),
  limit: coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("Page size, 1 to 100 (default 50)."),
  nextToken: string().min(1).max(2048).optional().describe("From the previous page's nextToken."),
});

export const PermissionSetPath = strictObject({ name: PermissionSetName });
export const GrantPath = strictObject({ grantId: GrantId });
