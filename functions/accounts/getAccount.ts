import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import { accountRoutes as routes } from "../../shared/http/routes/accounts";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.getAccount, httpDeps, async ({ params }) => ({
  body: presentAccount(await accountService().get(params.tenantId, params.accountId)),
}));
