import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/accounts";
import { emergencyBrake } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.freezeAccount, httpDeps, async ({ params, actor }) => ({
  body: presentAccount(await emergencyBrake().freeze(params.tenantId, params.accountId, actor)),
}));
