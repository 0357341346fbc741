import { en } from "zod/locales";
import {
  array,
  boolean,
  coerce,
  config,
  globalRegistry,
  int,
  literal,
  maximum,
  maxLength,
  minimum,
  minLength,
  object,
  optional,
  regex,
  strictObject,
  string,
  type ZodMiniType,
} from "zod/mini";
import { SERVICE_NAME_PATTERN } from "../../domain/api-key";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "../../domain/arn";
import { KEY_ID_PATTERN, TENANT_ID_PATTERN } from "../../domain/ids";
import { PERMISSION_SET_NAME_PATTERN } from "../../domain/permission-set";

/**
 * Every request and response shape of the REST API. Handlers validate with these, and
 * tools/build/openapi.ts generates docs/openapi.yaml from them, so the document cannot drift.
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
export function doc<T extends ZodMiniType>(schema: T, meta: Meta): T {
  globalRegistry.add(schema, meta);
  return schema;
}

export const described = <T extends ZodMiniType>(schema: T, description: string) =>
  doc(schema, { description });
export const matching = (pattern: RegExp) => string().check(regex(pattern));

// Printable text: no C0 control characters and no DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;

/**
 * A role ARN as text (parsed and checked in the domain). Here, not in accounts.ts, so that the
 * organization routes' bundles do not carry the account schemas.
 */
export const RoleArnText = string().check(
  minLength(20),
  maxLength(2048),
  regex(/^arn:[a-z0-9-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/),
);

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

export const Timestamp = doc(string(), {
  format: "date-time",
  examples: ["2026-11-23T10:00:00.000Z"],
});

export const Health = doc(object({ status: literal("ok") }), { id: "Health" });

export const ErrorResponse = doc(
  object({
    error: object({
      code: described(
        string(),
        "Stable, machine-readable error code. Every string of a request, object keys included, must be well-formed Unicode: one with an unpaired UTF-16 surrogate is refused with INVALID_UNICODE in a body, INVALID_QUERY_PARAMETER or INVALID_PATH_PARAMETER elsewhere.",
      ),
      message: string(),
      details: described(
        optional(
          object({
            laggingAccounts: optional(int()),
            accountIds: optional(array(string())),
            state: optional(string()),
            frozen: optional(boolean()),
            event: optional(string()),
          }),
        ),
        "Some codes only: ROTATION_WOULD_STRAND_ACCOUNTS (laggingAccounts, the first ten accountIds); an account's lifecycle 409s (state, frozen, event).",
      ),
    }),
    requestId: string(),
  }),
  { id: "Error" },
);

export const EmptyRequest = doc(strictObject({}), { id: "EmptyRequest" });

export const PageSize = described(
  optional(coerce.number().check(int(), minimum(1), maximum(100))),
  "Page size, 1 to 100 (default 50).",
);

export const NextToken = described(
  optional(string().check(minLength(1), maxLength(2048))),
  "From the previous page's nextToken.",
);

export const ListQuery = strictObject({ limit: PageSize, nextToken: NextToken });

export const TenantPath = strictObject({ tenantId: TenantId });

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

export const PermissionSetName = doc(matching(PERMISSION_SET_NAME_PATTERN), {
  id: "PermissionSetName",
  description: "1 to 64 of letters, digits, _ . -, starting with a letter or digit.",
  examples: ["read-only-s3"],
});

export const SessionSeconds = () => int().check(minimum(900), maximum(3600));

export const IsoTime = matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);
