import { httpHandler } from "../../shared/http/handler";
import { presentOrganization } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { CONNECT_BUDGET_MS, organizationService } from "../../shared/wiring/organizations";

export const handler = httpHandler(
  routes.connectOrganization,
  httpDeps,
  async ({ params, body, actor }) => {
    const { organization, report, created } = await organizationService().connect(
      params.tenantId,
      body,
      Date.now() + CONNECT_BUDGET_MS,
      actor,
    );
    return {
      status: created ? 201 : 200,
      body: { organization: presentOrganization(organization), report },
    };
  },
);
