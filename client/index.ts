/**
 * A typed client for the control plane's REST API. Every operation of shared/http/routes.ts is
 * `client.call("<operationId>", { params, query, body })`, with request and response types taken
 * from the same schemas the handlers validate with; the common ones have their own methods.
 */
import type * as z from "zod/mini";
import type { RouteDef, routes } from "../shared/http/routes";
import type * as schemas from "../shared/http/schemas";

type Routes = typeof routes;
type Out<T> = T extends z.ZodMiniType ? z.output<T> : undefined;
type In<T> = T extends z.ZodMiniType ? z.input<T> : undefined;

export type OperationId = keyof Routes;
export type RequestOf<N extends OperationId> = {
  params?: Out<Routes[N] extends { params: infer P } ? P : undefined>;
  query?: In<Routes[N] extends { query: infer Q } ? Q : undefined>;
  body?: In<Routes[N] extends { body: infer B } ? B : undefined>;
};
export type ResponseOf<N extends OperationId> = Out<
  Routes[N]["success"] extends { schema: infer S } ? S : undefined
>;

export type Session = z.output<typeof schemas.Session>;

/** An error answer of the API: its status, stable code, message and request ID. */
export class ControlPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ControlPlaneError";
  }
}

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Method and path of every operation, kept in the client so it needs no server code at run time. */
const OPERATIONS: Record<OperationId, { method: RouteDef["method"]; path: string }> = {
  health: { method: "GET", path: "/v1/health" },
  createTenant: { method: "POST", path: "/v1/tenants" },
  listTenants: { method: "GET", path: "/v1/tenants" },
  getTenant: { method: "GET", path: "/v1/tenants/{tenantId}" },
  deleteTenant: { method: "DELETE", path: "/v1/tenants/{tenantId}" },
  rotateExternalId: { method: "POST", path: "/v1/tenants/{tenantId}/external-id/rotate" },
  createApiKey: { method: "POST", path: "/v1/api-keys" },
  listApiKeys: { method: "GET", path: "/v1/api-keys" },
  revokeApiKey: { method: "DELETE", path: "/v1/api-keys/{keyId}" },
  createOnboardingLink: { method: "POST", path: "/v1/tenants/{tenantId}/onboarding-links" },
  registerAccount: { method: "POST", path: "/v1/tenants/{tenantId}/accounts" },
  listAccounts: { method: "GET", path: "/v1/tenants/{tenantId}/accounts" },
  getAccount: { method: "GET", path: "/v1/tenants/{tenantId}/accounts/{accountId}" },
  patchAccount: { method: "PATCH", path: "/v1/tenants/{tenantId}/accounts/{accountId}" },
  deleteAccount: { method: "DELETE", path: "/v1/tenants/{tenantId}/accounts/{accountId}" },
  verifyAccount: { method: "POST", path: "/v1/tenants/{tenantId}/accounts/{accountId}/verify" },
  getAccountHealth: { method: "GET", path: "/v1/tenants/{tenantId}/accounts/{accountId}/health" },
  getHealthSummary: { method: "GET", path: "/v1/health-summary" },
  suspendTenant: { method: "POST", path: "/v1/tenants/{tenantId}/suspend" },
  resumeTenant: { method: "POST", path: "/v1/tenants/{tenantId}/resume" },
  putPermissionSet: { method: "PUT", path: "/v1/permission-sets/{name}" },
  getPermissionSet: { method: "GET", path: "/v1/permission-sets/{name}" },
  deletePermissionSet: { method: "DELETE", path: "/v1/permission-sets/{name}" },
  listPermissionSets: { method: "GET", path: "/v1/permission-sets" },
  createGrant: { method: "POST", path: "/v1/grants" },
  listGrants: { method: "GET", path: "/v1/grants" },
  deleteGrant: { method: "DELETE", path: "/v1/grants/{grantId}" },
  createSession: { method: "POST", path: "/v1/sessions" },
  listAudit: { method: "GET", path: "/v1/tenants/{tenantId}/audit" },
  listPlatformAudit: { method: "GET", path: "/v1/audit" },
  freezeAccount: { method: "POST", path: "/v1/tenants/{tenantId}/accounts/{accountId}/freeze" },
  unfreezeAccount: { method: "POST", path: "/v1/tenants/{tenantId}/accounts/{accountId}/unfreeze" },
  connectOrganization: { method: "POST", path: "/v1/tenants/{tenantId}/organizations" },
  getOrganization: { method: "GET", path: "/v1/tenants/{tenantId}/organizations" },
  disconnectOrganization: { method: "DELETE", path: "/v1/tenants/{tenantId}/organizations" },
};

export class ControlPlaneClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  static operations(): Readonly<typeof OPERATIONS> {
    return OPERATIONS;
  }

  async call<N extends OperationId>(
    operation: N,
    request: RequestOf<N> = {},
  ): Promise<ResponseOf<N>> {
    const op = OPERATIONS[operation];
    const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const value = (request.params as Record<string, string> | undefined)?.[name];
      if (value === undefined) throw new Error(`${operation}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const url = new URL(path, this.options.baseUrl);
    for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const res = await this.fetchImpl(url, {
      method: op.method,
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    const json = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const err =
        (json as { error?: { code?: string; message?: string }; requestId?: string } | undefined) ??
        {};
      const retryAfter = res.headers.get("retry-after");
      throw new ControlPlaneError(
        res.status,
        err.error?.code ?? `HTTP_${res.status}`,
        err.error?.message ?? res.statusText,
        err.requestId,
        retryAfter ? Number(retryAfter) : undefined,
      );
    }
    return json as ResponseOf<N>;
  }

  /** Short-lived credentials into a tenant account (a service key). */
  createSession(body: NonNullable<RequestOf<"createSession">["body"]>): Promise<Session> {
    return this.call("createSession", { body }) as Promise<Session>;
  }
}
