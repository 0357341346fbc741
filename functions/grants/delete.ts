import { httpHandler } from "../../shared/http/handler";
import { brokeringRoutes as routes } from "../../shared/http/routes/brokering";
import { httpDeps } from "../../shared/wiring";
import { grantService } from "../../shared/wiring-brokering";

export const handler = httpHandler(routes.deleteGrant, httpDeps, async ({ params, actor }) => {
  await grantService().delete(params.grantId, actor);
  return {};
});
