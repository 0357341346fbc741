import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.getPermissionSet, httpDeps, async ({ params }) => ({
  body: presentPermissionSet(await permissionSetService().get(params.name)),
}));
