import { describe, expect, it } from "vitest";
import { ControlPlaneClient, ControlPlaneError } from "../../../client/src/index";

describe("ControlPlaneClient", () => {
  it("fills path parameters, query and body, and sends the key as a bearer token", async () => {
    const seen: Request[] = [];
    const client = new ControlPlaneClient({
      baseUrl: "http://cp.example",
      apiKey: "cpk_secret",
      fetch: async (input, init) => {
        seen.push(new Request(input, init));
        return new Response(JSON.stringify({ items: [] }), { status: 200 });
      },
    });
    await client.call("listAccounts", { params: { tenantId: "tnt_a/b" }, query: { limit: 5 } });
    expect(seen[0]?.url).toBe("http://cp.example/v1/tenants/tnt_a%2Fb/accounts?limit=5");
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer cpk_secret");
    expect(seen[0]?.method).toBe("GET");
  });

  it("turns an error answer into ControlPlaneError with status, code and Retry-After", async () => {
    const client = new ControlPlaneClient({
      baseUrl: "http://cp.example",
      apiKey: "k",
      fetch: async () =>
        new Response(
          JSON.stringify({
            error: { code: "STS_THROTTLED", message: "slow down" },
            requestId: "r1",
          }),
          {
            status: 503,
            headers: { "retry-after": "2" },
          },
        ),
    });
    const err = await client.createSession({ tenantId: "t", accountId: "a" }).catch((e) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect(err).toMatchObject({
      status: 503,
      code: "STS_THROTTLED",
      requestId: "r1",
      retryAfterSeconds: 2,
    });
  });
});
