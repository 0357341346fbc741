import type { Context } from "aws-lambda";
// The project's one SHA-256 (hex of the UTF-8 text), also used for API keys and tokens.
import { hashApiKey as sha256 } from "../domain/api-key";
import { ConflictError, UnprocessableError } from "../errors";
import type { Clock, IdempotencyStore } from "../ports/common";
import type { HttpRequest, HttpResult } from "./handler";
import type { RouteDef } from "./route-def";

/**
 * `Idempotency-Key` on the routes that create things. A retry with the same key, from the same API
 * key, with the same request, gets the first answer again and changes nothing; the same key with
 * another request is 422 IDEMPOTENCY_KEY_REUSED; while the first is still running, 409
 * IDEMPOTENCY_KEY_IN_USE. A request that failed is not remembered: its retry runs again. Without
 * the header, nothing changes. Only routes whose answers hold no secret are idempotent this way:
 * the stored answer would be a secret at rest (API keys and sessions are not).
 *
 * The records follow Powertools idempotency's design (a conditional put takes the key, an
 * in-progress record is abandoned when its function's time is up, the answer is stored on
 * success, the record deleted on failure), without its 42 KB (the library and its JMESPath
 * engine), a seventh of a bundle for two fixed expressions.
 */
export interface IdempotencyOptions {
  store: IdempotencyStore;
  clock: Clock;
  /** How long a key is remembered. */
  expiresAfterSeconds: number;
}

/** How long a request may hold its key when the function's remaining time is unknown. */
const DEFAULT_IN_PROGRESS_MS = 30_000;

export function idempotent<R extends RouteDef>(
  route: R,
  options: () => IdempotencyOptions,
  fn: (req: HttpRequest<R>, context: Context) => Promise<HttpResult>,
): (req: HttpRequest<R>, context: Context) => Promise<HttpResult> {
  return async (req, context) => {
    if (req.idempotencyKey === undefined || req.caller === undefined) return fn(req, context);
    const { store, clock, expiresAfterSeconds } = options();
    const scope = route.operationId;
    // The caller's key and the operation are part of the key: one caller's Idempotency-Key never
    // answers for another caller, nor for another route.
    const keyHash = sha256(JSON.stringify([req.caller.keyId, scope, req.idempotencyKey]));
    const requestHash = sha256(
      JSON.stringify({
        params: req.params ?? null,
        query: req.query ?? null,
        body: req.body ?? null,
      }),
    );
    const now = clock.now().getTime();
    const record = {
      status: "IN_PROGRESS" as const,
      requestHash,
      expiresAt: Math.floor(now / 1000) + expiresAfterSeconds,
      inProgressUntil: now + (context.getRemainingTimeInMillis?.() ?? DEFAULT_IN_PROGRESS_MS),
    };

    const claim = await store.claim(scope, keyHash, record, now);
    if (!claim.claimed) {
      const holder = claim.holder;
      if (holder && holder.requestHash !== requestHash) {
        throw new UnprocessableError(
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key was already used with a different request",
        );
      }
      if (holder?.status === "COMPLETED") return holder.response as HttpResult;
      throw new ConflictError(
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still being processed; retry shortly",
      );
    }

    let result: HttpResult;
    try {
      result = await fn(req, context);
    } catch (err) {
      // Not remembered: the retry runs again. If this delete fails, the record is abandoned
      // when the function's time is up.
      await store.release(scope, keyHash).catch(() => undefined);
      throw err;
    }
    await store.complete(scope, keyHash, { ...record, status: "COMPLETED", response: result });
    return result;
  };
}
