import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/accounts";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.verifyAccount, httpDeps, async ({ params, actor }) => ({
  body: presentAccount(await accountService().verify(params.tenantId, params.accountId, actor)),
}));
