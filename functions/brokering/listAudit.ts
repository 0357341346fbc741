import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/brokering";
import { auditStore } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.listAudit, httpDeps, async ({ params, query }) => {
  const page = await auditStore().list(params.tenantId, {
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    limit: query.limit ?? 50,
    cursor: query.nextToken,
  });
  return { body: { items: page.items, nextToken: page.nextCursor } };
});
