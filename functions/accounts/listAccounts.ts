import { httpHandler } from "../../shared/http/handler";
import { presentAccount } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/accounts";
import { accountQueries } from "../../shared/wiring/accounts";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(routes.listAccounts, httpDeps, async ({ params, query }) => {
  const page = await accountQueries().list(
    params.tenantId,
    { limit: query.limit ?? 50, cursor: query.nextToken },
    query.externalIdStatus,
  );
  return { body: { items: page.items.map(presentAccount), nextToken: page.nextCursor } };
});
