import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentTenant } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/tenants";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";
import { externalIdRotation } from "../../shared/wiring/tenants";

export const handler = httpHandler(
  routes.rotateExternalId,
  httpDeps,
  idempotent(routes.rotateExternalId, idempotencyOptions, async ({ params, body, actor }) => {
    const tenant = await externalIdRotation().rotate(params.tenantId, actor, {
      force: body?.force === true,
    });
    return { body: presentTenant(tenant, new Date()) };
  }),
);
