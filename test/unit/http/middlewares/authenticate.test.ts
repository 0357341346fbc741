import { describe, expect, it, vi } from "vitest";
import type { Caller } from "../../../../shared/domain/api-key";
import { UnauthenticatedError } from "../../../../shared/errors";
import { authenticate, keyCacheAllowed } from "../../../../shared/http/middlewares/authenticate";
import { logger } from "../../../../shared/logger";
import { refusal, requestOf, runBefore } from "./request";

const CALLER: Caller = { keyId: "key_1", role: "tenant", tenantId: "tnt_1" };

function stub(answer: () => Promise<Caller> = async () => CALLER) {
  const asked: { secret: string | undefined; allowCached: boolean }[] = [];
  const deps = () => ({
    authenticate: async (secret: string | undefined, options: { allowCached: boolean }) => {
      asked.push({ secret, ...options });
      return answer();
    },
  });
  return { asked, deps };
}

const withKey = (authorization: string) => requestOf({ event: { headers: { authorization } } });

describe("authenticate", () => {
  it("resolves the bearer key to the caller, on the request's state and its log lines", async () => {
    const { asked, deps } = stub();
    const appendKeys = vi.spyOn(logger, "appendKeys");
    const request = withKey("Bearer cpk_secret-of-the-key");
    expect(await runBefore(authenticate({ auth: ["tenant"], method: "GET" }, deps), request)).toBe(
      undefined,
    );
    expect(asked).toEqual([{ secret: "cpk_secret-of-the-key", allowCached: true }]);
    expect(request.context.http.caller).toEqual(CALLER);
    expect(appendKeys).toHaveBeenCalledWith({ keyId: "key_1", role: "tenant" });
    appendKeys.mockRestore();
  });

  it.each([
    ["GET", true],
    ["POST", false],
    ["PUT", false],
    ["PATCH", false],
    ["DELETE", false],
  ] as const)("%s: a cached verification may answer: %s", async (method, allowCached) => {
    expect(keyCacheAllowed({ method })).toBe(allowCached);
    const { asked, deps } = stub();
    await runBefore(
      authenticate({ auth: ["admin"], method }, deps),
      withKey("Bearer cpk_k-123456"),
    );
    expect(asked).toEqual([{ secret: "cpk_k-123456", allowCached }]);
  });

  it.each([
    ["no header", undefined],
    ["another scheme", "Basic Y3BrX2sxMjM0NTY="],
    ["a key too short", "Bearer cpk_"],
  ])("%s: asks with no secret (the service refuses it)", async (_name, authorization) => {
    const { asked, deps } = stub();
    const headers = authorization === undefined ? {} : { authorization };
    await runBefore(
      authenticate({ auth: ["admin"], method: "GET" }, deps),
      requestOf({ event: { headers } }),
    );
    expect(asked).toEqual([{ secret: undefined, allowCached: true }]);
  });

  it("a refused key: the refusal goes on, and the request has no caller", async () => {
    const { deps } = stub(async () => {
      throw new UnauthenticatedError();
    });
    const request = withKey("Bearer cpk_revoked-key");
    const err = await refusal(authenticate({ auth: ["admin"], method: "DELETE" }, deps), request);
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect(request.context.http.caller).toBeUndefined();
  });

  it("a public route asks for no key", async () => {
    const { asked, deps } = stub();
    const request = withKey("Bearer cpk_secret-of-the-key");
    await runBefore(authenticate({ auth: "public", method: "GET" }, deps), request);
    expect(asked).toEqual([]);
    expect(request.context.http.caller).toBeUndefined();
  });
});
