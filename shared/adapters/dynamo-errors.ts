import { BadRequestError, ServiceUnavailableError } from "../errors";

/**
 * DynamoDB failures that say "try again later": throttling (after the SDK's own retries),
 * service-side errors and network timeouts. They become a 503 with Retry-After; every write here
 * is a single conditional operation or a transaction, so nothing partial is left behind.
 */
const RETRYABLE = /* @__PURE__ */ new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "TransactionInProgressException",
]);

export function isRetryableDynamoError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (RETRYABLE.has(err.name)) return true;
  // Any server-side fault (5xx), whatever its name or body: the service's problem, not the request's.
  const meta = err as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (meta.$fault === "server" || (meta.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  const code = (err as { code?: string }).code;
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT";
}

/**
 * DynamoDB refusing what a request carried, as opposed to failing to serve it: an item over
 * 400 KB, an empty string in a key, text that is not UTF-8 (ValidationException,
 * SerializationException; in a transaction, the cancellation reason ValidationError). A client
 * fault: retrying the same request gets the same answer, so it must never become a 503.
 */
const REFUSED_INPUT = /* @__PURE__ */ new Set(["ValidationException", "SerializationException"]);

export function isRefusedInput(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if ((err as { $fault?: string }).$fault === "server") return false;
  if (REFUSED_INPUT.has(err.name)) return true;
  return cancellationReasons(err)?.includes("ValidationError") ?? false;
}

/**
 * Rethrows retryable failures as ServiceUnavailableError, DynamoDB's refusals of the request's
 * content as a 400 INPUT_NOT_STORABLE (validation at the boundary should have refused it first, so
 * the error mapper logs it as unexpected, with its cause), anything else unchanged.
 */
export function rethrowDynamo(err: unknown): never {
  if (isRefusedInput(err)) {
    throw new BadRequestError(
      "INPUT_NOT_STORABLE",
      "The data store refused a value of this request (too large, or text it cannot store); nothing was changed",
      { cause: err },
    );
  }
  if (isRetryableDynamoError(err)) {
    throw new ServiceUnavailableError("The data store is busy; retry shortly", {
      retryAfterSeconds: 1,
      cause: err,
    });
  }
  throw err;
}

/** The cancellation reason codes of a TransactionCanceledException, by item index. */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== "TransactionCanceledException") return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((r) => r.Code ?? "None");
}
