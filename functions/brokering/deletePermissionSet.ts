import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.deletePermissionSet,
  httpDeps,
  async ({ params, actor }) => {
    await permissionSetService().delete(params.name, actor);
    return {};
  },
);
