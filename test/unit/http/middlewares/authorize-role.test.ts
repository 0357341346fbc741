import { describe, expect, it } from "vitest";
import type { ApiKeyRole } from "../../../../shared/domain/api-key";
import { ForbiddenError, UnauthenticatedError } from "../../../../shared/errors";
import { authorizeRole } from "../../../../shared/http/middlewares/authorize-role";
import { refusal, requestOf, runBefore } from "./request";

const caller = (role: ApiKeyRole) => ({ keyId: "key_1", role });

describe("authorizeRole", () => {
  it.each([
    [["admin"], "admin"],
    [["admin", "tenant"], "tenant"],
    [["service"], "service"],
  ] as const)("%j admits %s", async (auth, role) => {
    const request = requestOf({ state: { caller: caller(role) } });
    expect(await runBefore(authorizeRole({ auth }), request)).toBeUndefined();
  });

  it.each([
    [["admin"], "tenant"],
    [["admin"], "service"],
    [["admin", "tenant"], "service"],
    [["service"], "admin"],
  ] as const)("%j refuses %s with 403", async (auth, role) => {
    const err = await refusal(
      authorizeRole({ auth }),
      requestOf({ state: { caller: caller(role) } }),
    );
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.code).toBe("FORBIDDEN");
  });

  it("a route that needs a key, without a caller (out of order): refused, not let through", async () => {
    const err = await refusal(authorizeRole({ auth: ["admin"] }), requestOf());
    expect(err).toBeInstanceOf(UnauthenticatedError);
  });

  it("a public route needs no caller", async () => {
    expect(await runBefore(authorizeRole({ auth: "public" }), requestOf())).toBeUndefined();
  });
});
