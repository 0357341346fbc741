import { requireTenantAccess } from "../../domain/access";
import { logger } from "../../logger";
import type { RouteDef } from "../route-def";
import type { HttpMiddleware } from "./request-state";

/**
 * On a route about one tenant, a tenant key is admitted only for its own `{tenantId}`: another
 * tenant's gets the 404 of a tenant that does not exist (shared/domain/access.ts).
 */
export function tenantScope(route: Pick<RouteDef, "tenantScoped">): HttpMiddleware {
  return {
    before: (request) => {
      const { caller, params } = request.context.http;
      if (!route.tenantScoped || caller === undefined) return;
      const tenantId = params?.tenantId as string;
      requireTenantAccess(caller, tenantId);
      logger.appendKeys({ tenantId });
    },
  };
}
