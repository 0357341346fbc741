import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyService } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.createApiKey, httpDeps, async ({ body, actor }) => {
  const { key, secret } = await apiKeyService().create(body, actor);
  return { body: { ...presentApiKey(key), apiKey: secret } };
});
