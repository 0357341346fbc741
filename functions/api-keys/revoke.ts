import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { apiKeyService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.revokeApiKey, httpDeps, async ({ params, actor }) => {
  return { body: presentApiKey(await apiKeyService().revoke(params.keyId, actor)) };
});
