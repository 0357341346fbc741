import { httpHandler } from "../../shared/http/handler";
import { presentTenant } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const handler = httpHandler(routes.suspendTenant, httpDeps, async ({ params, actor }) => ({
  body: presentTenant(await tenantService().setSuspended(params.tenantId, true, actor), new Date()),
}));
