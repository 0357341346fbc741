import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../shared/logger";
import { ROOT } from "../../tools/local-aws/local-stack";
import { type ApiRequest, api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";

// The logger takes its level when it is created, and goes back to it on every invocation: this
// file's functions log everything, so that the scan below has something to scan.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
});

/**
 * One case per class of bad input (test/fixtures/bad-input.json): each gets its status and error
 * code, never a 5xx, and leaves the table exactly as it was.
 * In the fixture, "REPEAT:<s>:<n>" stands for <s> repeated n times, "REPEAT_LIST:<s>:<n>" in an
 * array for n copies of <s>, and "TOKEN:<json>" for that JSON
 * encoded as a nextToken, so the file stays readable.
 */
interface BadCase {
  name: string;
  method: ApiRequest["method"];
  path: string;
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  noKey?: boolean;
  status: number;
  code: string;
}

const cases: BadCase[] = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/bad-input.json"), "utf8"),
);

function expand(value: unknown): unknown {
  if (typeof value === "string") {
    return value
      .replace(/REPEAT:(.+?):(\d+)/g, (_m, s: string, n: string) => s.repeat(Number(n)))
      .replace(/^TOKEN:(.*)$/s, (_m, json: string) =>
        Buffer.from(json, "utf8").toString("base64url"),
      );
  }
  if (Array.isArray(value)) {
    return value.flatMap((v) => {
      const m = typeof v === "string" ? /^REPEAT_LIST:(.+):(\d+)$/.exec(v) : null;
      return m ? Array.from({ length: Number(m[2]) }, () => m[1]) : [expand(v)];
    });
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

let table: string;
let admin: string;
let tenantId: string;
let externalId: string;
/** Everything the functions logged while this file ran: every line the logger's console wrote. */
let logged = "";
const loggerConsole = (logger as unknown as { console: Record<string, (...a: unknown[]) => void> })
  .console;
const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
const originals = Object.fromEntries(METHODS.map((m) => [m, loggerConsole[m]]));

beforeAll(async () => {
  for (const m of METHODS) {
    loggerConsole[m] = (...args: unknown[]) => {
      logged += `${args.map(String).join(" ")}\n`;
    };
  }
  table = await useFreshTable("badinput");
  admin = (await seedKey(table, { role: "admin" })).secret;
  const tenant = (
    await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Victim" } })
  ).body;
  tenantId = tenant.tenantId;
  externalId = tenant.externalId;
});

afterAll(() => {
  for (const m of METHODS) loggerConsole[m] = originals[m] as (...a: unknown[]) => void;
});

describe("bad input is refused with a 4xx and a code, and changes nothing", () => {
  it.each(cases)("$name → $status $code", async (c) => {
    const before = await snapshot(table);
    const req = expand({ ...c, path: c.path.replace("{tenantId}", tenantId) }) as BadCase;
    const res = await api({
      method: req.method,
      path: req.path,
      ...(req.noKey ? {} : { key: admin }),
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.rawBody !== undefined ? { rawBody: req.rawBody } : {}),
      ...(req.query ? { query: req.query } : {}),
      ...(req.headers ? { headers: req.headers } : {}),
    });
    expect(res.status).toBe(c.status);
    expect(res.body).toEqual({
      error: { code: c.code, message: expect.any(String) },
      requestId: expect.any(String),
    });
    expect(await snapshot(table)).toEqual(before);
  });
});

describe("logs", () => {
  it("hold one line per refused request, and none of the secrets this file used", () => {
    const lines = logged.split("\n").filter((l) => l.startsWith("{"));
    const refused = lines.filter((l) => l.includes('"request refused"'));
    // Not vacuous: every bad request above was logged (the ones refused before a key was checked too).
    expect(refused.length).toBeGreaterThanOrEqual(cases.length);
    const secrets = [
      admin,
      admin.slice(4), // without its prefix
      externalId,
      ...cases.flatMap((c) => {
        const auth = c.headers?.Authorization;
        return auth && auth.length > 12 ? [auth] : [];
      }),
    ];
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });
});
