import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/health";
import { httpDeps } from "../../shared/wiring/common";
import { readiness } from "../../shared/wiring/health";

/** Ready means the table answers (shared/services/readiness.ts). */
export const handler = httpHandler(routes.health, httpDeps, async () => {
  await readiness().check();
  return { body: { status: "ok" } };
});
