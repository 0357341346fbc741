import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/brokering";
import { callerAccess } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.whoami, httpDeps, async ({ caller }) => ({
  body: await callerAccess().describe(caller),
}));
