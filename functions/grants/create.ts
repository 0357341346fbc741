import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { grantService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.createGrant, httpDeps, async ({ body }) => ({
  body: await grantService().create(body),
}));
