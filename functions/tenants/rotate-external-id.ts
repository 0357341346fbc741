import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.rotateExternalId, httpDeps, async ({ params }) => {
  const tenant = await tenantService().rotateExternalId(params.tenantId);
  return { body: presentTenant(tenant, new Date()) };
});
