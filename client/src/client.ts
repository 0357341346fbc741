/**
 * A typed client for the control plane's REST API. Every operation is
 * `client.call("<operationId>", { params, query, body })`, with request and response types
 * generated from docs/openapi.yaml (src/api-types.ts, `npm run generate -w client`); the common
 * ones have their own methods. No server code at run time or in the types.
 */
import type { components, operations } from "./api-types";

export type OperationId = keyof operations;
type Op<N extends OperationId> = operations[N];
type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : undefined;
type Present<T> = [T] extends [never] ? undefined : [T] extends [undefined] ? undefined : T;

export type RequestOf<N extends OperationId> = {
  params?: Present<NonNullable<Op<N>["parameters"]["path"]>>;
  query?: Present<NonNullable<Op<N>["parameters"]["query"]>>;
  body?: Op<N> extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : undefined;
};
type Responses<N extends OperationId> = Op<N>["responses"];
export type ResponseOf<N extends OperationId> = JsonOf<
  Responses<N>[Extract<keyof Responses<N>, 200 | 201 | 202 | 204>]
>;

/** The API's named schemas (Tenant, Account, Session, Grant, ...). */
export type Schemas = components["schemas"];
export type Session = Schemas["Session"];
export type CreateSessionRequest = Schemas["CreateSessionRequest"];

/** An error answer of the API: its status, stable code, message and request ID. */
/**
 * An error answer of the API, or no answer at all (status 0, code `UNREACHABLE`): the method and
 * URL asked, the status, the API's stable code, its message and request ID.
 */
export class ControlPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly request: { method: string; url: string },
    readonly requestId?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      status === 0
        ? `${request.method} ${request.url}: ${code}: ${detail}`
        : `${request.method} ${request.url} → ${status} ${code}: ${detail}`,
    );
    this.name = "ControlPlaneError";
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Method and path of every operation, kept in the client so it needs no server code at run time. */
const OPERATIONS: Record<OperationId, { method: Method; path: string }> = {
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
  whoami: { method: "GET", path: "/v1/whoami" },
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
    // The URL without its query: a page token is no secret, but it is noise in a message.
    const asked = { method: op.method, url: `${url.origin}${url.pathname}` };
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method: op.method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      const cause = err as Error & { cause?: { code?: string; message?: string } };
      const why = cause.cause?.code ?? cause.cause?.message ?? cause.message;
      throw new ControlPlaneError(0, "UNREACHABLE", `no answer (${why})`, asked);
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err =
        (json as { error?: { code?: string; message?: string }; requestId?: string } | undefined) ??
        {};
      const retryAfter = res.headers.get("retry-after");
      throw new ControlPlaneError(
        res.status,
        err.error?.code ?? `HTTP_${res.status}`,
        err.error?.message ?? (res.statusText || "no error body"),
        asked,
        err.requestId,
        retryAfter ? Number(retryAfter) : undefined,
      );
    }
    if (text !== "" && json === undefined) {
      throw new ControlPlaneError(res.status, "INVALID_RESPONSE", "the answer is not JSON", asked);
    }
    return json as ResponseOf<N>;
  }

  /** Short-lived credentials into a tenant account (a service key). */
  createSession(body: CreateSessionRequest): Promise<Session> {
    return this.call("createSession", { body }) as Promise<Session>;
  }
}
