import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/accounts";
import { accountRemoval } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.deleteAccount, httpDeps, async ({ params, actor }) => {
  await accountRemoval().delete(params.tenantId, params.accountId, actor);
  return {};
});
