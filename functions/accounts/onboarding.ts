import { httpHandler } from "../../shared/http/handler";
import { routes } from "../../shared/http/routes";
import { accessConfig, httpDeps, onboardingService } from "../../shared/wiring";

export const handler = httpHandler(
  routes.getOnboardingLink,
  httpDeps,
  async ({ params, query }) => ({
    body: await onboardingService().link(params.tenantId, query.region ?? accessConfig().region),
  }),
);
