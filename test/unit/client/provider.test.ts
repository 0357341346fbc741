import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import type { STSClientConfig } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { ControlPlaneError, fromControlPlane } from "../../../client/src/index";

/** The provider's timing and failure rules, on a fake broker and a fake clock. */
function fakeBroker(lifetimeMs: number, clock: () => number) {
  const calls: unknown[] = [];
  let fail: { status: number; code: string } | undefined;
  const fetch = async (_url: unknown, init?: RequestInit) => {
    calls.push(JSON.parse(String(init?.body)));
    await new Promise((r) => setTimeout(r, 5));
    if (fail)
      return new Response(JSON.stringify({ error: { code: fail.code, message: "no" } }), {
        status: fail.status,
      });
    const n = calls.length;
    return new Response(
      JSON.stringify({
        credentials: {
          accessKeyId: `ASIA${n}`,
          secretAccessKey: `secret${n}`,
          sessionToken: `token${n}`,
          expiration: new Date(clock() + lifetimeMs).toISOString(),
        },
      }),
      { status: 201 },
    );
  };
  return { calls, fetch, failWith: (f?: { status: number; code: string }) => (fail = f) };
}

const base = {
  baseUrl: "http://cp.example",
  apiKey: "cpk_s",
  tenantId: "tnt_1",
  accountId: "111122223333",
};

describe("fromControlPlane", () => {
  it("sends the session request with the options given, and returns an SDK identity", async () => {
    let now = 1_000_000;
    const broker = fakeBroker(3600_000, () => now);
    const provider = fromControlPlane({
      ...base,
      permissionSet: "read",
      durationSeconds: 3600,
      region: "eu-west-1",
      fetch: broker.fetch,
      now: () => now,
    });
    const identity = await provider();
    expect(broker.calls).toEqual([
      {
        tenantId: "tnt_1",
        accountId: "111122223333",
        permissionSet: "read",
        durationSeconds: 3600,
        region: "eu-west-1",
      },
    ]);
    expect(identity).toEqual({
      accessKeyId: "ASIA1",
      secretAccessKey: "secret1",
      sessionToken: "token1",
      expiration: new Date(now + 3600_000),
      accountId: "111122223333",
    });
    now += 1;
  });

  it.each([
    // lifetime, refresh window (s), last time kept, first time refreshed (ms after issue)
    [3600_000, undefined, 3300_000 - 1, 3300_000],
    [3600_000, 60, 3540_000 - 1, 3540_000],
    // A session shorter than twice the window is refreshed at half its lifetime.
    [400_000, undefined, 200_000 - 1, 200_000],
  ])(
    "lifetime %i ms, window %s s: kept until %i, refreshed from %i",
    async (lifetime, window, kept, refreshed) => {
      let now = 0;
      const broker = fakeBroker(lifetime, () => now);
      const provider = fromControlPlane({
        ...base,
        fetch: broker.fetch,
        now: () => now,
        ...(window !== undefined ? { refreshBeforeExpirySeconds: window } : {}),
      });
      await provider();
      now = kept;
      expect((await provider()).accessKeyId).toBe("ASIA1");
      now = refreshed;
      expect((await provider()).accessKeyId).toBe("ASIA2");
      expect(broker.calls).toHaveLength(2);
    },
  );

  it("a session already expired by the caller's clock (skew) is not kept: the next call asks again", async () => {
    let now = 0;
    // The broker's clock is 2 hours behind: its one-hour sessions look an hour old on arrival.
    const broker = fakeBroker(3600_000, () => now - 7200_000);
    const provider = fromControlPlane({ ...base, fetch: broker.fetch, now: () => now });
    await provider();
    now += 1;
    await provider();
    expect(broker.calls).toHaveLength(2);
  });

  it("shares one request among concurrent callers, on first use and on refresh", async () => {
    let now = 0;
    const broker = fakeBroker(3600_000, () => now);
    const provider = fromControlPlane({ ...base, fetch: broker.fetch, now: () => now });
    await Promise.all([provider(), provider(), provider()]);
    now = 3500_000;
    const refreshed = await Promise.all([provider(), provider(), provider()]);
    expect(broker.calls).toHaveLength(2);
    expect(refreshed.map((c) => c.accessKeyId)).toEqual(["ASIA2", "ASIA2", "ASIA2"]);
  });

  it("passes a refusal on with the API's code, to every waiting caller, and asks again next time", async () => {
    const now = 0;
    const broker = fakeBroker(3600_000, () => now);
    const provider = fromControlPlane({ ...base, fetch: broker.fetch, now: () => now });
    broker.failWith({ status: 403, code: "NOT_GRANTED" });
    const errors = await Promise.all([provider().catch((e) => e), provider().catch((e) => e)]);
    expect(broker.calls).toHaveLength(1);
    for (const err of errors) {
      expect(err).toBeInstanceOf(ControlPlaneError);
      expect(err).toMatchObject({ status: 403, code: "NOT_GRANTED" });
      expect(err.message).toBe("POST http://cp.example/v1/sessions → 403 NOT_GRANTED: no");
    }
    broker.failWith(undefined);
    expect((await provider()).accessKeyId).toBe("ASIA2");
  });

  it("names the URL when nothing answers", async () => {
    // A port that was just free: nothing listens on it.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const provider = fromControlPlane({ ...base, baseUrl: `http://127.0.0.1:${port}` });
    const err = await provider().catch((e) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect(err).toMatchObject({ status: 0, code: "UNREACHABLE" });
    expect(err.message).toBe(
      `POST http://127.0.0.1:${port}/v1/sessions: UNREACHABLE: no answer (ECONNREFUSED)`,
    );
  });
});

describe("fromControlPlane's type", () => {
  it("is what AWS SDK v3 clients take as credentials (checked by tsc)", () => {
    const config: STSClientConfig = {
      credentials: fromControlPlane({ ...base, fetch: async () => new Response("{}") }),
    };
    expect(typeof config.credentials).toBe("function");
  });
});
