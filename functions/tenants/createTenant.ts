import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentTenant } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";
import { tenantService } from "../../shared/wiring/tenants";

export const handler = httpHandler(
  routes.createTenant,
  httpDeps,
  idempotent(routes.createTenant, idempotencyOptions, async ({ body, actor }) => {
    const tenant = await tenantService().create(body.name, actor);
    return { body: presentTenant(tenant, new Date()) };
  }),
);
