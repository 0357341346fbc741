import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  digestOf,
  entrySource,
  lambdaNodeFlags,
  produceCache,
} from "../../../infra/code-cache/build.js";
import { load, METRIC, NAMESPACE, STATUS } from "../../../infra/code-cache/loader.js";
import CodeCache from "../../../infra/plugins/code-cache.js";
import { METRICS, METRICS_NAMESPACE } from "../../../shared/domain/metrics";

/**
 * The entry module's loader (infra/code-cache/loader.js) in this process: a cache made here is
 * accepted here (same V8, same flags). The packaged functions on the pinned runtime for arm64 are
 * tested in test/infra/package.test.ts.
 */
const FIXTURES = join(__dirname, "../../fixtures/code-cache");
const BUNDLE = "bundle.js";

/**
 * What packaging does, in a process of its own (infra/code-cache/produce.js), with the Node.js
 * and flags of this one. Not here: V8 keeps what it compiled in this process, and would take a
 * second compile of the same source from there, never looking at the cache.
 */
async function produce(file: string): Promise<Buffer> {
  const runner = { command: process.execPath, args: [] };
  return (await produceCache(readFileSync(file), { runner, flags: [] })).cache;
}

let dir: string;
let lines: string[];
let loads = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cp-loader-"));
  // A source of its own for each test, which this process has never compiled.
  const source = readFileSync(join(FIXTURES, BUNDLE), "utf8");
  writeFileSync(join(dir, BUNDLE), `${source}// load ${++loads} in ${process.pid}\n`);
  lines = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const status = () => (globalThis as Record<symbol, unknown>)[STATUS];
const invoke = async (exported: { handler: (e: unknown) => Promise<unknown> }, body: unknown) =>
  exported.handler({ body: JSON.stringify(body) });

describe("loading a bundle with its code cache", () => {
  /** Each way the cache can be, what the loader makes of it, and what it reports. */
  const cases: {
    name: string;
    /** Writes the cache (or not) and returns the digest the entry module names. */
    prepare: (cacheFile: string, good: Buffer, bundle: Buffer) => string | Promise<string>;
    status: string;
    reason?: string;
  }[] = [
    {
      name: "the cache packaging made: accepted, nothing reported",
      prepare: (file, good, bundle) => {
        writeFileSync(file, good);
        return digestOf(bundle, good);
      },
      status: "accepted",
    },
    {
      name: "no cache file: loaded from the source",
      prepare: (_file, good, bundle) => digestOf(bundle, good),
      status: "not-used",
      reason: "missing",
    },
    {
      name: "a cache whose bytes changed: refused before V8 sees it",
      prepare: (file, good, bundle) => {
        const bad = Buffer.from(good);
        bad.fill(0xa5, Math.floor(bad.length / 2), Math.floor(bad.length / 2) + 8);
        writeFileSync(file, bad);
        return digestOf(bundle, good);
      },
      status: "not-used",
      reason: "digest",
    },
    {
      // V8 compares only the source's length: it would run the cached functions of the old
      // bundle and compile the rest from the new one.
      name: "a bundle changed after packaging, same length: its cache refused",
      prepare: (file, good, bundle) => {
        writeFileSync(file, good);
        const changed = bundle.toString("utf8").replace("maxLength: 64", "maxLength: 99");
        expect(changed.length).toBe(bundle.length);
        writeFileSync(join(dir, BUNDLE), changed);
        return digestOf(bundle, good);
      },
      status: "not-used",
      reason: "digest",
    },
    {
      name: "an intact cache of another source: V8 rejects it",
      prepare: async (file, _good, bundle) => {
        const other = join(dir, "other.js");
        writeFileSync(other, 'exports.handler = async () => ({ statusCode: 204, body: "" });\n');
        const foreign = await produce(other);
        writeFileSync(file, foreign);
        return digestOf(bundle, foreign);
      },
      status: "not-used",
      reason: "rejected",
    },
  ];

  it.each(cases)("$name", async ({ prepare, status: expected, reason }) => {
    const good = await produce(join(dir, BUNDLE));
    const digest = await prepare(
      join(dir, `${BUNDLE}.cache`),
      good,
      readFileSync(join(dir, BUNDLE)),
    );
    lines.length = 0;

    const exported = load(dir, BUNDLE, digest, module);

    expect(status()).toEqual({ status: expected, reason, bundle: join(dir, BUNDLE) });
    // The handler behaves the same either way, lazily compiled code included.
    await expect(invoke(exported, { name: "ok" })).resolves.toEqual({
      statusCode: 200,
      body: JSON.stringify({ file: BUNDLE }),
    });
    await expect(invoke(exported, {})).resolves.toMatchObject({ statusCode: 400 });
    const reports = lines.filter((l) => l.includes('"codeCache"')).map((l) => JSON.parse(l));
    if (!reason) {
      expect(reports).toEqual([]);
      return;
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      level: "WARN",
      codeCache: reason,
      reason,
      [METRIC]: 1,
      bundle: join(dir, BUNDLE),
      node: process.version,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [["service", "reason"]],
            Metrics: [{ Name: "CodeCacheRejected", Unit: "Count" }],
          },
        ],
      },
    });
  });

  it("reports a metric of the control plane's catalogue, in its namespace, with its dimensions", () => {
    expect(NAMESPACE).toBe(METRICS_NAMESPACE);
    expect(METRICS[METRIC as keyof typeof METRICS]).toMatchObject({
      unit: "Count",
      dimensions: ["reason"],
    });
  });

  it("writes an entry module that loads its bundle with the cache of the digest it names", async () => {
    const good = await produce(join(dir, BUNDLE));
    writeFileSync(join(dir, `${BUNDLE}.cache`), good);
    writeFileSync(
      join(dir, "entry.js"),
      entrySource(BUNDLE, digestOf(readFileSync(join(dir, BUNDLE)), good)),
    );

    const exported = require(join(dir, "entry.js"));

    expect(status()).toMatchObject({ status: "accepted" });
    expect(Object.keys(exported)).toEqual(["handler"]);
    await expect(invoke(exported, { name: "ok" })).resolves.toMatchObject({ statusCode: 200 });
    // The bundle is a module of require's, as if required itself.
    expect(require.cache[join(dir, BUNDLE)]?.exports).toBe(exported);
  });

  it("reports an error's line and column in the bundle as a plain require does", async () => {
    const source = `"use strict";exports.handler=async()=>{throw new Error("at ${loads}")};\n`;
    writeFileSync(join(dir, "plain.js"), source);
    writeFileSync(join(dir, BUNDLE), source);
    const good = await produce(join(dir, BUNDLE));
    writeFileSync(join(dir, `${BUNDLE}.cache`), good);
    const where = async (handler: () => Promise<unknown>, file: string) => {
      const err = (await handler().catch((e: Error) => e)) as Error;
      return err.stack?.split("\n")[1]?.match(new RegExp(`${file}:(\\d+:\\d+)`))?.[1];
    };

    const loaded = load(dir, BUNDLE, digestOf(Buffer.from(source), good), module);
    const plain = require(join(dir, "plain.js"));

    expect(status()).toMatchObject({ status: "accepted" });
    const column = `1:${source.indexOf("new Error") + 1}`;
    expect(await where(loaded.handler, BUNDLE)).toBe(column);
    expect(await where(plain.handler, "plain.js")).toBe(column);
  });
});

describe("the warm-up that makes a cache", () => {
  it("fails when the bundle opens a connection while it loads", async () => {
    const runner = { command: process.execPath, args: [] };
    const source = readFileSync(join(FIXTURES, "connects-at-load.js"));
    await expect(produceCache(source, { runner, flags: [] })).rejects.toThrow(
      "the bundle opened a connection while loading",
    );
  });
});

describe("deploying without a pinned runtime version", () => {
  const plugin = (arn: string | undefined) =>
    new CodeCache({
      service: { provider: { region: "eu-west-1", runtimeManagement: arn && { arn } } },
    });
  it("is refused before CloudFormation when serverless.ts fell back to no version", () => {
    expect(() =>
      plugin("arn:aws:lambda:eu-west-1::runtime:unrecorded").hooks["before:deploy:deploy"](),
    ).toThrow("no runtime version is recorded for eu-west-1");
  });
  it("goes ahead with a recorded version", () => {
    const arn = `arn:aws:lambda:eu-west-1::runtime:${"a".repeat(64)}`;
    expect(() => plugin(arn).hooks["before:deploy:deploy"]()).not.toThrow();
  });
});

describe("Lambda's V8 flags", () => {
  const { cases } = JSON.parse(readFileSync(join(FIXTURES, "lambda-flags.json"), "utf8")) as {
    cases: { memoryMb: number; flags: string[] }[];
  };
  it.each(cases)("for $memoryMb MB: $flags", ({ memoryMb, flags }) => {
    expect(lambdaNodeFlags(memoryMb)).toEqual(flags);
  });
});
