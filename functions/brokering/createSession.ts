import { httpHandler } from "../../shared/http/handler";
import { presentSession } from "../../shared/http/presenters";
import * as routes from "../../shared/http/routes/brokering";
import { sessionBroker } from "../../shared/wiring/brokering";
import { httpDeps } from "../../shared/wiring/common";

export const handler = httpHandler(
  routes.createSession,
  httpDeps,
  async ({ body, caller, requestId }) => {
    const session = await sessionBroker().issue(
      { keyId: caller.keyId, service: caller.service ?? "" },
      body,
      requestId,
    );
    return { body: presentSession(session) };
  },
);
