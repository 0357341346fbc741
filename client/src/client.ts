/**
 * A typed client for the control plane's REST API. Every operation is
 * `client.call("<operationId>", { params, query, body })`, with request and response types
 * generated from docs/openapi.yaml (src/api-types.ts), and its method and path from the same
 * document (src/operations.ts); `npm run openapi` generates both. The common ones have their own
 * methods. No server code at run time or in the types.
 */
import type { components, operations } from "./api-types";
import { OPERATIONS } from "./operations";

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

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

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
