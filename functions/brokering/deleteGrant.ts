import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/brokering";
import { grantService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.deleteGrant, httpDeps, async ({ params, actor }) => {
  await grantService().delete(params.grantId, actor);
  return {};
});
