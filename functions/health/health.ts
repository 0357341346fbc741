import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { ServiceUnavailableError } from "../../shared/errors";
import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/health";
import { config, documentClient, httpDeps } from "../../shared/wiring/common";

/** Ready means the table answers; a healthy answer is reused for a few seconds per container. */
const READY_CACHE_MS = 10_000;
let readyUntil = 0;

export const handler = httpHandler(routes.health, httpDeps, async () => {
  if (Date.now() >= readyUntil) {
    try {
      const out = await documentClient().send(
        new DescribeTableCommand({ TableName: config().tableName }),
      );
      if (out.Table?.TableStatus !== "ACTIVE")
        throw new Error(`table is ${out.Table?.TableStatus}`);
    } catch (err) {
      throw new ServiceUnavailableError("The control plane's table is not reachable", {
        retryAfterSeconds: 5,
        cause: err,
      });
    }
    readyUntil = Date.now() + READY_CACHE_MS;
  }
  return { body: { status: "ok" } };
});
