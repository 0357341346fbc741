import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.putPermissionSet,
  httpDeps,
  async ({ params, body, actor }) => {
    const { set, created } = await permissionSetService().put(params.name, body, actor);
    return { status: created ? 201 : 200, body: presentPermissionSet(set) };
  },
);
