import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { httpDeps } from "../../shared/wiring";
import { accountService } from "../../shared/wiring-accounts";

export const handler = httpHandler(routes.deleteAccount, httpDeps, async ({ params }) => {
  await accountService().delete(params.tenantId, params.accountId);
  return {};
});
