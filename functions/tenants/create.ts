import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentTenant } from "../../shared/http/presenters";
import { coreRoutes as routes } from "../../shared/http/routes/core";
import { httpDeps, idempotencyOptions, tenantService } from "../../shared/wiring";

export const handler = httpHandler(
  routes.createTenant,
  httpDeps,
  idempotent(routes.createTenant, idempotencyOptions, async ({ body, actor }) => {
    const tenant = await tenantService().create(body.name, actor);
    return { body: presentTenant(tenant, new Date()) };
  }),
);
