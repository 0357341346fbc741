import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { httpDeps, permissionSetService } from "../../shared/wiring";

export const handler = httpHandler(routes.deletePermissionSet, httpDeps, async ({ params }) => {
  await permissionSetService().delete(params.name);
  return {};
});
