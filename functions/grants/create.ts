import { httpHandler } from "../../shared/http/handler";
import { brokeringRoutes as routes } from "../../shared/http/routes/brokering";
import { httpDeps } from "../../shared/wiring";
import { grantService } from "../../shared/wiring-brokering";

export const handler = httpHandler(routes.createGrant, httpDeps, async ({ body }) => ({
  body: await grantService().create(body),
}));
