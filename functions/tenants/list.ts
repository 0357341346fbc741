import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.listTenants, httpDeps, async ({ query }) => {
  const page = await tenantService().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  const now = new Date();
  return {
    body: { items: page.items.map((t) => presentTenant(t, now)), nextToken: page.nextCursor },
  };
});
