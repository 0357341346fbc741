import {
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { rethrowDynamo } from "../../../shared/adapters/dynamo-errors";
import { AppError } from "../../../shared/errors";
import { toHttpResponse } from "../../../shared/http/error-mapper";

/** A DynamoDB error as the SDK throws it for an error type its model does not name. */
function serviceError(name: string, fault: "client" | "server", status: number) {
  return new DynamoDBServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: `${name}: One or more parameter values were invalid: Key: PK`,
  });
}

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

/** The emulator's answer to a lone surrogate in a plain PutItem: an HTML 500 page, not JSON. */
function emulatorCrash() {
  return Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), {
    $metadata: { httpStatusCode: 500 },
  });
}

/** What rethrowDynamo makes of an error, as the client would see it. */
function answer(err: unknown) {
  let thrown: unknown;
  try {
    rethrowDynamo(err);
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof AppError)) return { status: 500, code: "INTERNAL_ERROR", same: true };
  const { response, expected } = toHttpResponse(thrown, "r");
  return {
    status: response.statusCode,
    code: thrown.code,
    expected,
    body: response.body,
    cause: thrown.cause,
  };
}

describe("rethrowDynamo: DynamoDB refusing what a request carried is a 4xx, never a 503", () => {
  it.each([
    [
      "ValidationException (an item over 400 KB, an empty key)",
      serviceError("ValidationException", "client", 400),
    ],
    [
      "SerializationException (text that is not UTF-8)",
      serviceError("SerializationException", "client", 400),
    ],
    ["a transaction cancelled for a ValidationError", cancelled("None", "ValidationError")],
  ])("%s → 400 INPUT_NOT_STORABLE, logged as a failure with its cause", (_label, err) => {
    const a = answer(err);
    expect(a).toMatchObject({ status: 400, code: "INPUT_NOT_STORABLE", expected: false });
    expect(a.cause).toBe(err);
    // The client learns nothing of the table: no key names, no DynamoDB message.
    expect(a.body).not.toContain("PK");
    expect(a.body).not.toContain("parameter values");
  });

  it.each([
    ["throttling", new ProvisionedThroughputExceededException({ message: "slow", $metadata: {} })],
    ["a server fault, whatever its name", serviceError("ValidationException", "server", 500)],
    ["the emulator's crash page (the cause of the old 503)", emulatorCrash()],
  ])("%s → 503 with Retry-After, as before", (_label, err) => {
    expect(answer(err)).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE", expected: true });
  });

  it.each([
    ["a transaction cancelled by a condition", cancelled("ConditionalCheckFailed")],
    ["an unknown client error", serviceError("ResourceNotFoundException", "client", 400)],
    ["not an Error at all", "boom"],
  ])("%s → unchanged (its caller, or the 500 of a bug)", (_label, err) => {
    let thrown: unknown;
    try {
      rethrowDynamo(err);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(err);
  });
});
