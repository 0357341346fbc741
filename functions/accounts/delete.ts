import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { accountService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.deleteAccount, httpDeps, async ({ params }) => {
  await accountService().delete(params.tenantId, params.accountId);
  return {};
});
