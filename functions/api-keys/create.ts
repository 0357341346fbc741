import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { apiKeyService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.createApiKey, httpDeps, async ({ body, actor }) => {
  const { key, secret } = await apiKeyService().create(body, actor);
  return { body: { ...presentApiKey(key), apiKey: secret } };
});
