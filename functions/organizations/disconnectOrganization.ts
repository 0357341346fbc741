import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationRecords } from "../../shared/wiring/organizations";

export const handler = httpHandler(
  routes.disconnectOrganization,
  httpDeps,
  async ({ params, query, actor }) => {
    await organizationRecords().disconnect(params.tenantId, query.removeAccounts === "true", actor);
    return { status: 204 };
  },
);
