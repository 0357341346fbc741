import { httpHandler } from "../../shared/http/handler";
import { presentPermissionSet } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/brokering";
import { permissionSetService } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.listPermissionSets, httpDeps, async ({ query }) => {
  const page = await permissionSetService().list({
    limit: query.limit ?? 50,
    cursor: query.nextToken,
  });
  return { body: { items: page.items.map(presentPermissionSet), nextToken: page.nextCursor } };
});
