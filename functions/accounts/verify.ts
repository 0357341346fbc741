import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import { routes } from "../../shared/http/routes";
import { httpDeps } from "../../shared/wiring";
import { accountService } from "../../shared/wiring-accounts";

export const handler = httpHandler(routes.verifyAccount, httpDeps, async ({ params }) => ({
  body: presentAccount(await accountService().verify(params.tenantId, params.accountId)),
}));
