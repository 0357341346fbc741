import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local-stack";
import { type ApiRequest, api } from "../support/api";
import { seedKey, snapshot, useFreshTable } from "../support/table";

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

beforeAll(async () => {
  table = await useFreshTable("badinput");
  admin = (await seedKey(table, { role: "admin" })).secret;
  tenantId = (
    await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Victim" } })
  ).body.tenantId;
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
