import { VERIFICATION_CODES } from "../../domain/verification";
import {
  AUTH_ERRORS,
  BODY_ERRORS,
  errorTable,
  RATE_LIMITED,
  type RouteDef,
  UNAVAILABLE,
} from "../route-def";
import * as c from "../schemas/common";
import * as s from "../schemas/organizations";

export const connectOrganization = {
  operationId: "connectOrganization",
  method: "POST",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Connect the tenant's AWS Organization: verify the management role, then a job registers every ACTIVE member account",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  body: s.ConnectOrganizationRequest,
  fieldCodes: {
    managementAccountId: "INVALID_ACCOUNT_ID",
    managementRoleArn: "INVALID_ROLE_ARN",
    memberRoleName: "INVALID_ROLE_NAME",
    organizationalUnitIds: "INVALID_ORGANIZATIONAL_UNIT_ID",
  },
  success: {
    status: 202,
    schema: s.ConnectOrganizationResponse,
    description:
      "Connected (or, connected already, its settings updated); a CONNECT job lists the organization and registers its members. GET .../organizations shows its progress.",
  },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: BODY_ERRORS },
    {
      400: [
        "INVALID_PATH_PARAMETER",
        "INVALID_ACCOUNT_ID",
        "INVALID_ROLE_ARN",
        "INVALID_ROLE_NAME",
        "INVALID_ORGANIZATIONAL_UNIT_ID",
        "ROLE_ARN_ACCOUNT_MISMATCH",
        "PARTITION_MISMATCH",
        "CONTROL_PLANE_ACCOUNT",
      ],
    },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND"] },
    { 409: ["ORGANIZATION_ALREADY_CONNECTED", "CONCURRENT_MODIFICATION"] },
    { 415: ["UNSUPPORTED_MEDIA_TYPE"] },
    { 422: VERIFICATION_CODES },
    { 422: ["NOT_AN_ORGANIZATION", "NOT_MANAGEMENT_ACCOUNT"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const getOrganization = {
  operationId: "getOrganization",
  method: "GET",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Read the tenant's organization connection: its latest job's progress, the last sync's counts",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  params: c.TenantPath,
  success: { status: 200, schema: s.Organization, description: "The connection." },
  errors: /* @__PURE__ */ errorTable(
    { 400: ["INVALID_PATH_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ORGANIZATION_NOT_CONNECTED"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

export const disconnectOrganization = {
  operationId: "disconnectOrganization",
  method: "DELETE",
  path: "/v1/tenants/{tenantId}/organizations",
  summary:
    "Disconnect the organization: syncing stops; its accounts stay registered unless removeAccounts=true",
  tag: "organizations",
  auth: ["admin", "tenant"],
  tenantScoped: true,
  rateLimit: "tenant",
  params: c.TenantPath,
  query: s.DisconnectQuery,
  success: { status: 204, description: "Disconnected." },
  errors: /* @__PURE__ */ errorTable(
    RATE_LIMITED,
    { 400: ["INVALID_PATH_PARAMETER", "INVALID_QUERY_PARAMETER"] },
    AUTH_ERRORS,
    { 404: ["TENANT_NOT_FOUND", "ORGANIZATION_NOT_CONNECTED"] },
    { 409: ["ACCOUNT_FROZEN", "CONCURRENT_MODIFICATION"] },
    UNAVAILABLE,
  ),
} as const satisfies RouteDef;

/** AWS Organizations: connect a tenant's organization, read it, disconnect it. */
export const organizationRoutes = {
  connectOrganization,
  getOrganization,
  disconnectOrganization,
} as const;
