import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import * as routes from "../../shared/http/routes/brokering";
import { grantService } from "../../shared/wiring/brokering";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.createGrant,
  httpDeps,
  idempotent(routes.createGrant, idempotencyOptions, async ({ body, actor }) => ({
    body: await grantService().create(body, actor),
  })),
);
