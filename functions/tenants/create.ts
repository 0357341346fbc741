import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.createTenant, httpDeps, async ({ body }) => {
  const tenant = await tenantService().create(body.name);
  return { body: presentTenant(tenant, new Date()) };
});
