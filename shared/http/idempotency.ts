import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { ConflictError, ServiceUnavailableError, UnprocessableError } from "../errors";
import type { HttpRequest, HttpResult } from "./handler";
import type { RouteDef } from "./route-def";

/**
 * `Idempotency-Key` on the routes that create things (Powertools idempotency, records in the
 * control plane's table). A retry with the same key, from the same API key, with the same
 * request, gets the first answer again and changes nothing; the same key with another request is
 * 422 IDEMPOTENCY_KEY_REUSED; while the first is still running, 409 IDEMPOTENCY_KEY_IN_USE.
 * A request that failed is not remembered: its retry runs again. Without the header, nothing
 * changes. Only routes whose answers hold no secret are idempotent this way: the stored answer
 * would be a secret at rest (API keys and sessions are not).
 */
export interface IdempotencyOptions {
  tableName: string;
  /** How long a key is remembered. */
  expiresAfterSeconds: number;
}

interface Data {
  keyId: string;
  operation: string;
  key: string;
  payload: unknown;
}

export function idempotent<R extends RouteDef>(
  route: R,
  options: () => IdempotencyOptions,
  fn: (req: HttpRequest<R>, context: Context) => Promise<HttpResult>,
): (req: HttpRequest<R>, context: Context) => Promise<HttpResult> {
  let state:
    | {
        config: IdempotencyConfig;
        run: (data: Data, req: HttpRequest<R>, context: Context) => Promise<HttpResult>;
      }
    | undefined;
  const setUp = () => {
    const { tableName, expiresAfterSeconds } = options();
    const config = new IdempotencyConfig({
      // The caller's key and the operation are part of the key: one caller's Idempotency-Key
      // never answers for another caller, nor for another route.
      eventKeyJmesPath: "[keyId, operation, key]",
      payloadValidationJmesPath: "payload",
      hashFunction: "sha256",
      expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
    });
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      keyAttr: "PK",
      sortKeyAttr: "SK",
      staticPkValue: `IDEMPOTENCY#${route.operationId}`,
      expiryAttr: "expiresAt",
      awsSdkV3Client: new DynamoDBClient({ maxAttempts: 3 }),
    });
    const run = makeIdempotent(
      (_data: Data, req: HttpRequest<R>, context: Context) => fn(req, context),
      { persistenceStore, config, dataIndexArgument: 0 },
    );
    return { config, run };
  };

  return async (req, context) => {
    if (req.idempotencyKey === undefined || req.caller === undefined) return fn(req, context);
    state ??= setUp();
    state.config.registerLambdaContext(context);
    const data: Data = {
      keyId: req.caller.keyId,
      operation: route.operationId,
      key: req.idempotencyKey,
      payload: { params: req.params ?? null, query: req.query ?? null, body: req.body ?? null },
    };
    try {
      return await state.run(data, req, context);
    } catch (err) {
      throw mapped(err);
    }
  };
}

function mapped(err: unknown): unknown {
  switch (err instanceof Error ? err.name : "") {
    case "IdempotencyValidationError":
      return new UnprocessableError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used with a different request",
      );
    case "IdempotencyAlreadyInProgressError":
      return new ConflictError(
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still being processed; retry shortly",
      );
    case "IdempotencyPersistenceLayerError":
    case "IdempotencyPersistenceConsistencyError":
    case "IdempotencyInconsistentStateError":
    case "IdempotencyUnknownError":
      return new ServiceUnavailableError("The idempotency record could not be read or written", {
        retryAfterSeconds: 1,
        cause: err,
      });
    default:
      return err;
  }
}
