import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.resumeTenant, httpDeps, async ({ params, actor }) => ({
  body: presentTenant(
    await tenantService().setSuspended(params.tenantId, false, actor),
    new Date(),
  ),
}));
