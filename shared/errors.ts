/**
 * The one error hierarchy of the control plane. Domain code, services and adapters throw these;
 * `shared/http/error-mapper.ts` is the only place that turns them into HTTP responses, and the
 * classes below are the only place that names a status.
 * Anything that is not an `AppError` is a bug or an unexpected dependency failure and becomes a
 * generic 500 whose body says nothing about the cause.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly code: string;
  /** Extra, safe-to-show fields (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** 400: the request itself is wrong (syntax, schema, parameters). */
export class BadRequestError extends AppError {
  readonly status = 400;
}

/** 401: no credentials, or credentials we do not accept (unknown, revoked, malformed). */
export class UnauthenticatedError extends AppError {
  readonly status = 401;
  constructor(message = "A valid API key is required: Authorization: Bearer <key>") {
    super("UNAUTHENTICATED", message);
  }
}

/** 403: authenticated, but this caller may not do this. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(
    message = "This API key is not allowed to perform this operation",
    code = "FORBIDDEN",
  ) {
    super(code, message);
  }
}

/** 404: the thing does not exist, or the caller may not know that it exists. */
export class NotFoundError extends AppError {
  readonly status = 404;
}

export class TenantNotFoundError extends NotFoundError {
  constructor(tenantId: string) {
    super("TENANT_NOT_FOUND", `Tenant ${tenantId} does not exist`);
  }
}

export class ApiKeyNotFoundError extends NotFoundError {
  constructor(keyId: string) {
    super("API_KEY_NOT_FOUND", `API key ${keyId} does not exist`);
  }
}

/** 409: the request conflicts with the current state (a concurrent change, a state that forbids it). */
export class ConflictError extends AppError {
  readonly status = 409;
}

/** 415: the body is not JSON. */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  constructor() {
    super("UNSUPPORTED_MEDIA_TYPE", "Request bodies must be JSON: Content-Type: application/json");
  }
}

/**
 * 503: a dependency is throttling or unavailable; the client should retry after `retryAfterSeconds`.
 * Nothing was changed (writes are single conditional operations or transactions).
 */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly retryAfterSeconds: number;
  constructor(
    message: string,
    options: { retryAfterSeconds?: number; cause?: unknown; code?: string } = {},
  ) {
    super(options.code ?? "SERVICE_UNAVAILABLE", message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/** 429: the caller's rate limit is spent for this window; retry after `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super("RATE_LIMITED", message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class AccountNotFoundError extends NotFoundError {
  constructor(accountId: string) {
    super("ACCOUNT_NOT_FOUND", `Account ${accountId} is not registered for this tenant`);
  }
}

/** 422: well-formed, but not acceptable as it stands. */
export class UnprocessableError extends AppError {
  readonly status = 422;
}

/** 502: a tenant's AWS account refused what it should have allowed. */
export class BadGatewayError extends AppError {
  readonly status = 502;
}

/**
 * How a domain decision refuses (`decideSession`, the lifecycle table): what kind of "no" it is,
 * never an HTTP status. `refusalError` raises it as its class of this hierarchy.
 */
export type RefusalKind = "invalid" | "forbidden" | "not-found" | "conflict";

export function refusalError(
  kind: RefusalKind,
  code: string,
  message: string,
  options?: { details?: Record<string, unknown> },
): AppError {
  switch (kind) {
    case "invalid":
      return new BadRequestError(code, message, options);
    case "forbidden":
      return new ForbiddenError(message, code);
    case "not-found":
      return new NotFoundError(code, message, options);
    case "conflict":
      return new ConflictError(code, message, options);
  }
}
