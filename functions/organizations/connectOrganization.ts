import { httpHandler } from "../../shared/http/handler";
import { presentOrganization, presentOrganizationJob } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationService } from "../../shared/wiring/organizations";

export const handler = httpHandler(
  routes.connectOrganization,
  httpDeps,
  async ({ params, body, actor }) => {
    const { organization, job } = await organizationService().connect(params.tenantId, body, actor);
    return {
      status: 202,
      body: {
        organization: presentOrganization(organization, job),
        job: presentOrganizationJob(job),
      },
    };
  },
);
