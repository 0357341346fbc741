import { ServiceUnavailableError } from "../errors";

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

/** Rethrows retryable failures as ServiceUnavailableError, anything else unchanged. */
export function rethrowDynamo(err: unknown): never {
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
