import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/brokering";
import { grantListing } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.listGrants, httpDeps, async ({ query }) => {
  const page = await grantListing().list({ limit: query.limit ?? 50, cursor: query.nextToken });
  return { body: { items: page.items, nextToken: page.nextCursor } };
});
