import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.getTenant, httpDeps, async ({ params }) => {
  const tenant = await tenantService().get(params.tenantId);
  return { body: presentTenant(tenant, new Date()) };
});
