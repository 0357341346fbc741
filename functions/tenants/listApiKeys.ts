import { httpHandler } from "../../shared/http/handler";
import { presentApiKey } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { apiKeyListing } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.listApiKeys, httpDeps, async ({ query }) => {
  const page = await apiKeyListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  return { body: { items: page.items.map(presentApiKey), nextToken: page.nextCursor } };
});
