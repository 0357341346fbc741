import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { apiKeyService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.listApiKeys, httpDeps, async ({ query }) => {
  const page = await apiKeyService().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  return { body: { items: page.items.map(presentApiKey), nextToken: page.nextCursor } };
});
