/**
 * API Gateway always hands a function the request's body as text. serverless-offline 14 hands a
 * JSON body whose value is falsy (`false`, `0`) over already parsed: its proxy event puts the raw
 * text back in place of the parsed payload only `if (body)`. This puts the text back for those
 * too, so the functions get on the local stack what they get on AWS (a JSON `null` still arrives
 * as no body: the event keeps nothing to tell it from one).
 *
 * Loaded before osls starts serverless-offline (`node --import`, startOffline in local-stack.ts);
 * never deployed. It fails loudly, so the local stack does not start, if serverless-offline no
 * longer has the class it mends.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const offlineEntry = createRequire(import.meta.url).resolve("serverless-offline");
const eventModule = join(
  dirname(offlineEntry),
  "events/http/lambda-events/LambdaProxyIntegrationEvent.js",
);
const { default: LambdaProxyIntegrationEvent } = await import(pathToFileURL(eventModule).href);

const create = LambdaProxyIntegrationEvent?.prototype?.create;
if (typeof create !== "function") {
  throw new Error(`offline-string-body: no LambdaProxyIntegrationEvent.create in ${eventModule}`);
}
LambdaProxyIntegrationEvent.prototype.create = function createWithTextBody() {
  const event = create.call(this);
  if (event.body !== null && event.body !== undefined && typeof event.body !== "string") {
    event.body = JSON.stringify(event.body);
  }
  return event;
};
