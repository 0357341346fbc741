import { beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../shared/wiring/common";
import { api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";
import { createRole, trustPolicy } from "../support/tenant-account";

/**
 * Faults injected at the DynamoDB seam of the real handlers, on the emulator: the control plane's
 * own document client gets a middleware that fails chosen commands, as DynamoDB does when it is
 * throttling or failing. The request answers 503 with Retry-After, leaves nothing partial, and a
 * retry finishes the work.
 */
let table: string;
let admin: string;

/** Makes the next `times` commands named `command` fail with a DynamoDB server error. */
function failNext(command: string, times = 1) {
  let left = times;
  const name = `fault-${command}-${Date.now()}`;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && left > 0) {
        left -= 1;
        throw Object.assign(new Error("We encountered an internal error. Please try again."), {
          name: "InternalServerError",
          $fault: "server",
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: "initialize", name },
  );
  return () => documentClient().middlewareStack.remove(name);
}

const underTenant = async (tenantId: string) =>
  (await snapshot(table)).filter((i) => i.includes(tenantId) && !i.includes('"PK":{"S":"AUDIT'));

beforeAll(async () => {
  table = await useFreshTable("faults");
  admin = (await seedKey(table, { role: "admin" })).secret;
});

describe("faults at the DynamoDB seam", () => {
  it("a crash between a deletion's two writes: 503, the tenant already gone for readers, the retry finishes", async () => {
    const tenant = (
      await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Halfway" } })
    ).body;
    await createRole("980000000001", "Access", trustPolicy(tenant.externalId));
    await api({
      method: "POST",
      path: `/v1/tenants/${tenant.tenantId}/accounts`,
      key: admin,
      body: { accountId: "980000000001", roleArn: "arn:aws:iam::980000000001:role/Access" },
    });
    // The deletion marks the tenant DELETING, then purges what hangs off it: the purge fails.
    const restore = failNext("BatchWriteItemCommand", 20);
    const first = await api({
      method: "DELETE",
      path: `/v1/tenants/${tenant.tenantId}`,
      key: admin,
    });
    restore();
    expect(first.status).toBe(503);
    expect(Number(first.headers["retry-after"])).toBeGreaterThan(0);
    // Half-deleted is never visible as half: the tenant is not found, nothing attaches to it.
    expect(
      (await api({ method: "GET", path: `/v1/tenants/${tenant.tenantId}`, key: admin })).status,
    ).toBe(404);
    const attach = await api({
      method: "POST",
      path: "/v1/api-keys",
      key: admin,
      body: { role: "tenant", tenantId: tenant.tenantId },
    });
    expect(attach.status).toBe(404);
    // The retried DELETE finishes the purge: nothing of the tenant is left.
    const retry = await api({
      method: "DELETE",
      path: `/v1/tenants/${tenant.tenantId}`,
      key: admin,
    });
    expect(retry.status).toBe(204);
    expect(await underTenant(tenant.tenantId)).toEqual([]);
  });

  it("a failing write during registration: 503, no account, and the retry registers it once", async () => {
    const tenant = (
      await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Flaky" } })
    ).body;
    const roleArn = await createRole("980000000002", "Access", trustPolicy(tenant.externalId));
    const register = () =>
      api({
        method: "POST",
        path: `/v1/tenants/${tenant.tenantId}/accounts`,
        key: admin,
        headers: { "Idempotency-Key": "register-flaky" },
        body: { accountId: "980000000002", roleArn },
      });
    const restore = failNext("TransactWriteItemsCommand", 3);
    const first = await register();
    restore();
    expect(first.status).toBe(503);
    expect((await underTenant(tenant.tenantId)).filter((i) => i.includes("ACCOUNT#"))).toEqual([]);
    const retried = await register();
    expect(retried.status).toBe(201);
    expect(
      (await underTenant(tenant.tenantId)).filter((i) => i.includes('"SK":{"S":"ACCOUNT#')),
    ).toHaveLength(1);
  });
});
