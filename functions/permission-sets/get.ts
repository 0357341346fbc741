import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import { routes } from "../../shared/http/routes";
import { httpDeps, permissionSetService } from "../../shared/wiring";

export const handler = httpHandler(routes.getPermissionSet, httpDeps, async ({ params }) => ({
  body: presentPermissionSet(await permissionSetService().get(params.name)),
}));
