import { httpHandler } from "../../shared/http/handler";
import { presentOrganization } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/organizations";
import { httpDeps } from "../../shared/wiring/common";
import { organizationReader } from "../../shared/wiring/organizations";

export const handler = httpHandler(routes.getOrganization, httpDeps, async ({ params }) => {
  const { connection, job } = await organizationReader().withJob(params.tenantId);
  return { body: presentOrganization(connection, job) };
});
