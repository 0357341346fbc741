import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { grantService, httpDeps } from "../../shared/wiring";

export const handler = httpHandler(routes.deleteGrant, httpDeps, async ({ params }) => {
  await grantService().delete(params.grantId);
  return {};
});
