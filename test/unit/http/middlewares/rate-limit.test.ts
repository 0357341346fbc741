import { describe, expect, it } from "vitest";
import type { Caller } from "../../../../shared/domain/api-key";
import type { RateBucket } from "../../../../shared/domain/rate-limit";
import { RateLimitedError } from "../../../../shared/errors";
import { rateLimit } from "../../../../shared/http/middlewares/rate-limit";
import { refusal, requestOf, runBefore } from "./request";

const TENANT = "tnt_1";

function counter(refuse = false) {
  const counted: [RateBucket, string][] = [];
  const deps = () => ({
    admit: async (bucket: RateBucket, subject: string) => {
      counted.push([bucket, subject]);
      if (refuse) throw new RateLimitedError("Too many requests", 12);
    },
  });
  return { counted, deps };
}

const from = (caller: Caller | undefined) =>
  requestOf({ state: { ...(caller ? { caller } : {}), params: { tenantId: TENANT } } });

describe("rateLimit", () => {
  it.each([
    ["service", { keyId: "key_s", role: "service", service: "billing" }, ["service", "billing"]],
    ["tenant", { keyId: "key_t", role: "tenant", tenantId: TENANT }, ["tenant", TENANT]],
    ["tenant", { keyId: "key_a", role: "admin" }, ["admin", `${TENANT}#key_a`]],
  ] as const)("a %s-limited route counts %j against %j", async (scope, caller, bucket) => {
    const { counted, deps } = counter();
    expect(await runBefore(rateLimit({ rateLimit: scope }, deps), from(caller))).toBeUndefined();
    expect(counted).toEqual([bucket]);
  });

  it("over the budget: 429, as the limiter answered", async () => {
    const { deps } = counter(true);
    const err = await refusal(
      rateLimit({ rateLimit: "service" }, deps),
      from({ keyId: "key_s", role: "service", service: "billing" }),
    );
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.status).toBe(429);
  });

  it.each([
    ["a route without a limit", {}, { keyId: "key_a", role: "admin" } as Caller],
    ["a public route (no caller)", { rateLimit: "tenant" as const }, undefined],
  ])("%s counts nothing", async (_name, route, caller) => {
    const { counted, deps } = counter();
    await runBefore(rateLimit(route, deps), from(caller));
    expect(counted).toEqual([]);
  });
});
