import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/health";
import { httpDeps, tenantLookup } from "../../shared/wiring/common";
import { accountHealth } from "../../shared/wiring/health";

export const handler = httpHandler(routes.getAccountHealth, httpDeps, async ({ params }) => {
  await tenantLookup().get(params.tenantId);
  return { body: await accountHealth(params.tenantId, params.accountId) };
});
