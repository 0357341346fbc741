import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantListing } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.listTenants, httpDeps, async ({ query }) => {
  const page = await tenantListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  const now = new Date();
  return {
    body: { items: page.items.map((t) => presentTenant(t, now)), nextToken: page.nextCursor },
  };
});
