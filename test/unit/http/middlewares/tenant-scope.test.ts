import { describe, expect, it, vi } from "vitest";
import type { Caller } from "../../../../shared/domain/api-key";
import { ForbiddenError, TenantNotFoundError } from "../../../../shared/errors";
import { tenantScope } from "../../../../shared/http/middlewares/tenant-scope";
import { logger } from "../../../../shared/logger";
import { refusal, requestOf, runBefore } from "./request";

const OWN = "tnt_own";
const OTHER = "tnt_other";
const tenantKey: Caller = { keyId: "key_t", role: "tenant", tenantId: OWN };
const adminKey: Caller = { keyId: "key_a", role: "admin" };
const serviceKey: Caller = { keyId: "key_s", role: "service", service: "billing" };

const asking = (caller: Caller | undefined, tenantId: string) =>
  requestOf({ state: { ...(caller ? { caller } : {}), params: { tenantId } } });

describe("tenantScope", () => {
  it.each([
    ["a tenant key, its own tenant", tenantKey, OWN],
    ["an admin key, any tenant", adminKey, OTHER],
  ])("%s: admitted, the tenant on the log lines", async (_name, caller, tenantId) => {
    const appendKeys = vi.spyOn(logger, "appendKeys");
    expect(await runBefore(tenantScope({ tenantScoped: true }), asking(caller, tenantId))).toBe(
      undefined,
    );
    expect(appendKeys).toHaveBeenCalledWith({ tenantId });
    appendKeys.mockRestore();
  });

  it("a tenant key asking about another tenant: the 404 of a tenant that does not exist", async () => {
    const err = await refusal(tenantScope({ tenantScoped: true }), asking(tenantKey, OTHER));
    expect(err).toBeInstanceOf(TenantNotFoundError);
    expect(err.code).toBe("TENANT_NOT_FOUND");
    expect(err.status).toBe(404);
  });

  it("a service key on a tenant's route: 403", async () => {
    const err = await refusal(tenantScope({ tenantScoped: true }), asking(serviceKey, OWN));
    expect(err).toBeInstanceOf(ForbiddenError);
  });

  it("a route that is not about one tenant checks nothing", async () => {
    expect(await runBefore(tenantScope({}), asking(tenantKey, OTHER))).toBeUndefined();
  });

  it("a public route (no caller) checks nothing", async () => {
    expect(await runBefore(tenantScope({ tenantScoped: true }), asking(undefined, OTHER))).toBe(
      undefined,
    );
  });
});
