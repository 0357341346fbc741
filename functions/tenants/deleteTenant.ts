import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.deleteTenant, httpDeps, async ({ params, actor }) => {
  await tenantService().delete(params.tenantId, actor);
  return {};
});
