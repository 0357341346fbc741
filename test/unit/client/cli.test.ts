import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Io, main } from "../../../client/src/cli";

/** cpctl's rules: where it asks, what it caches and for how long, what it says when it fails. */
function harness(lifetimeMs = 3600_000) {
  let now = 1_700_000_000_000;
  let issued = 0;
  let refuse = false;
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    now: () => now,
    fetch: async () => {
      if (refuse)
        return new Response(
          JSON.stringify({ error: { code: "NOT_GRANTED", message: "no grant" }, requestId: "r" }),
          { status: 403 },
        );
      issued += 1;
      return new Response(
        JSON.stringify({
          credentials: {
            accessKeyId: `ASIA${issued}`,
            secretAccessKey: "s",
            sessionToken: "t",
            expiration: new Date(now + lifetimeMs).toISOString(),
          },
        }),
        { status: 201 },
      );
    },
  };
  const dir = join(mkdtempSync(join(tmpdir(), "cpctl-")), "cache");
  const env = {
    CONTROL_PLANE_URL: "http://cp.example",
    CONTROL_PLANE_API_KEY: "cpk_service-secret",
    CPCTL_CACHE_DIR: dir,
  };
  const args = ["credentials", "--tenant", "tnt_1", "--account", "111122223333"];
  return {
    io,
    env,
    dir,
    args,
    out,
    err,
    issued: () => issued,
    advance: (ms: number) => {
      now += ms;
    },
    refuse: () => {
      refuse = true;
    },
    lastKey: () => JSON.parse(out[out.length - 1] as string).AccessKeyId as string,
  };
}

describe("cpctl credentials", () => {
  it("caches per profile and answers from the cache until 5 minutes before expiry", async () => {
    const h = harness();
    expect(await main(h.args, h.env, h.io)).toBe(0);
    expect(await main(h.args, h.env, h.io)).toBe(0);
    expect(h.issued()).toBe(1);
    expect(h.out[0]).toBe(h.out[1]);
    h.advance(3600_000 - 300_001);
    await main(h.args, h.env, h.io);
    expect(h.issued()).toBe(1);
    h.advance(2);
    await main(h.args, h.env, h.io);
    expect(h.issued()).toBe(2);
    expect(h.lastKey()).toBe("ASIA2");
  });

  it("keeps the file readable by the user only, and holds no API key", async () => {
    const h = harness();
    await main(h.args, h.env, h.io);
    const files = readdirSync(h.dir);
    expect(files).toHaveLength(1);
    expect(statSync(h.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(h.dir, files[0] as string)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(h.dir, files[0] as string), "utf8")).not.toContain("service-secret");
  });

  it("--refresh-window moves the refresh; --no-cache always asks and writes nothing", async () => {
    const h = harness();
    const windowed = [...h.args, "--refresh-window", "60"];
    await main(windowed, h.env, h.io);
    h.advance(3600_000 - 120_000);
    await main(windowed, h.env, h.io);
    expect(h.issued()).toBe(1);
    const fresh = harness();
    await main([...fresh.args, "--no-cache"], fresh.env, fresh.io);
    await main([...fresh.args, "--no-cache"], fresh.env, fresh.io);
    expect(fresh.issued()).toBe(2);
    expect(() => readdirSync(fresh.dir)).toThrow();
  });

  it("never shares a session between profiles or keys", async () => {
    const h = harness();
    await main(h.args, h.env, h.io);
    await main([...h.args, "--permission-set", "admin"], h.env, h.io);
    await main(h.args, { ...h.env, CONTROL_PLANE_API_KEY: "cpk_other" }, h.io);
    await main(h.args, { ...h.env, CONTROL_PLANE_URL: "http://cp2.example" }, h.io);
    expect(h.issued()).toBe(4);
    expect(readdirSync(h.dir)).toHaveLength(4);
  });

  it("a refusal: exit 1, nothing on stdout, the URL, status and code on stderr", async () => {
    const h = harness();
    h.refuse();
    expect(await main(h.args, h.env, h.io)).toBe(1);
    expect(h.out).toEqual([]);
    expect(h.err.join("")).toBe(
      "cpctl: POST http://cp.example/v1/sessions → 403 NOT_GRANTED: no grant\n",
    );
  });

  it("no CONTROL_PLANE_URL: an error that says how to set it, not a default", async () => {
    const h = harness();
    const { CONTROL_PLANE_URL: _, ...env } = h.env;
    expect(await main(h.args, env, h.io)).toBe(2);
    expect(h.err.join("")).toMatch(/^cpctl: CONTROL_PLANE_URL is not set/);
    expect(h.err.join("")).toContain("export CONTROL_PLANE_URL=http://localhost:3000");
    expect(h.issued()).toBe(0);
  });

  it("no key, or missing options: usage, exit 2", async () => {
    const h = harness();
    const { CONTROL_PLANE_API_KEY: _, ...env } = h.env;
    expect(await main(h.args, env, h.io)).toBe(2);
    expect(await main(["credentials", "--tenant", "t"], h.env, h.io)).toBe(2);
    expect(await main(["nonsense"], h.env, h.io)).toBe(2);
    expect(h.err.join("")).toContain("usage: cpctl credentials");
  });
});

describe("cpctl whoami and profiles", () => {
  const me = {
    keyId: "key_s",
    role: "service",
    service: "billing",
    grants: [
      { grantId: "grt_all", tenantId: "*", permissionSets: ["read"], maxDurationSeconds: 3600 },
      {
        grantId: "grt_a",
        tenantId: "tnt_a",
        permissionSets: ["read", "deploy"],
        maxDurationSeconds: 3600,
        accounts: [
          { accountId: "111122223333", status: "VERIFIED", regions: ["eu-west-1"], frozen: false },
          { accountId: "444455556666", status: "FAILED", regions: [], frozen: false },
          { accountId: "777788889999", status: "VERIFIED", regions: [], frozen: true },
        ],
      },
    ],
  };
  function io(body: unknown = me) {
    const out: string[] = [];
    const err: string[] = [];
    const asked: string[] = [];
    const value: Io = {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      now: () => 0,
      fetch: async (url) => {
        const path = new URL(String(url)).pathname;
        asked.push(path);
        return new Response(JSON.stringify(path === "/v1/health" ? { status: "ok" } : body), {
          status: 200,
        });
      },
    };
    return { value, out, err, asked };
  }
  const env = { CONTROL_PLANE_URL: "http://cp.example", CONTROL_PLANE_API_KEY: "cpk_s" };

  it("whoami: the URL, the API's health, the key and its grants", async () => {
    const h = io();
    expect(await main(["whoami"], env, h.value)).toBe(0);
    expect(h.out.join("")).toBe(
      [
        "URL:     http://cp.example",
        'Health:  {"status":"ok"}',
        "Key:     key_s (service, service billing)",
        "Grant:   grt_all: every tenant; permission sets read",
        "Grant:   grt_a: tenant tnt_a, 3 account(s); permission sets read, deploy",
        "",
      ].join("\n"),
    );
  });

  it("profiles: one per verified account and permission set, with the key file and the URL", async () => {
    const h = io();
    const dir = mkdtempSync(join(tmpdir(), "cpctl-key-"));
    const keyFile = join(dir, "service.key");
    writeFileSync(keyFile, "cpk_s\n");
    const { CONTROL_PLANE_API_KEY: _, ...noKey } = env;
    expect(
      await main(["profiles", "--service-key-file", keyFile, "--prefix", "cp-"], noKey, h.value),
    ).toBe(0);
    expect(h.out.join("")).toBe(
      readFileSync(join(__dirname, "../../fixtures/cpctl/profiles.ini"), "utf8").replaceAll(
        "<KEYFILE>",
        keyFile,
      ),
    );
  });

  it("profiles with an admin key: refused, naming the key", async () => {
    const h = io({ keyId: "key_admin", role: "admin" });
    expect(await main(["profiles"], env, h.value)).toBe(2);
    expect(h.err.join("")).toBe(
      "cpctl: profiles needs a service key; this key (key_admin) is a admin key\n",
    );
    expect(h.out).toEqual([]);
  });
});
