import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.getTenant, httpDeps, async ({ params }) => {
  const tenant = await tenantService().get(params.tenantId);
  return { body: presentTenant(tenant, new Date()) };
});
