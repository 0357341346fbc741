import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/accounts";
import { onboardingService } from "../../shared/wiring/accounts";
import { accessConfig, httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.createOnboardingLink,
  httpDeps,
  async ({ params, query, actor }) => ({
    body: await onboardingService().link(
      params.tenantId,
      query.region ?? accessConfig().region,
      actor,
    ),
  }),
);
