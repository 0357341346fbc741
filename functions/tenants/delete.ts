import { httpHandler } from "../../shared/http/handler";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, tenantService } from "../../shared/wiring";

export const handler = httpHandler(routes.deleteTenant, httpDeps, async ({ params, actor }) => {
  await tenantService().delete(params.tenantId, actor);
  return {};
});
