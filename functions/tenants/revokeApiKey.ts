import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyService } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.revokeApiKey, httpDeps, async ({ params, actor }) => {
  return { body: presentApiKey(await apiKeyService().revoke(params.keyId, actor)) };
});
