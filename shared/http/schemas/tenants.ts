import {
  array,
  boolean,
  extend,
  literal,
  maxLength,
  minLength,
  object,
  optional,
  refine,
  regex,
  strictObject,
  string,
  enum as zEnum,
} from "zod/mini";
import { API_KEY_ROLES } from "../../domain/api-key";
import { described, doc, KeyId, PRINTABLE, ServiceName, TenantId, Timestamp } from "./common";

/** Tenants and API keys. */
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

/** Optional: no body (or `{}`) is a plain rotation. */
export const RotateExternalIdRequest = optional(
  doc(
    strictObject({
      force: described(
        optional(boolean()),
        "Rotate even if accounts were not seen on the current external ID (the previous one is dropped); audited.",
      ),
    }),
    { id: "RotateExternalIdRequest" },
  ),
);

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

export const KeyPath = strictObject({ keyId: KeyId });
