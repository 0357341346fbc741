import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/accounts";
import { accountQueries } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.getAccount, httpDeps, async ({ params }) => ({
  body: presentAccount(await accountQueries().get(params.tenantId, params.accountId)),
}));
