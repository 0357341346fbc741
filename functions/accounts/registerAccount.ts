import { httpHandler } from "../../shared/http/handler";
import { idempotent } from "../../shared/http/idempotency";
import { presentAccount } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/accounts";
import { accountService } from "../../shared/wiring/accounts";
import { httpDeps, idempotencyOptions } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.registerAccount,
  httpDeps,
  idempotent(routes.registerAccount, idempotencyOptions, async ({ params, body, actor }) => {
    const { account, created } = await accountService().register(
      params.tenantId,
      body,
      {
        kind: "api",
      },
      actor,
    );
    return { status: created ? 201 : 200, body: presentAccount(account) };
  }),
);
