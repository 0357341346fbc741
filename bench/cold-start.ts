/**
 * Cold loads with and without the V8 code cache (issue #17), for `npm run bench`.
 *
 * Everything runs on the Node.js of the pinned Lambda runtime (infra/lambda-runtime.json) for
 * this machine's architecture, from infra/lambda-node: the caches are built for it, and the
 * ratios are of that Node.js. Each variant is a whole `node` process, timed from spawn to exit;
 * the variants take turns run after run, so that the machine's drift affects them alike.
 *
 * Two sets of V8 flags:
 *  - `defaults`: `node` as it starts with no flags (how the issue measured, and the targets);
 *  - `lambda`: the flags Lambda's bootstrap adds for a 512 MB function (`--expose-gc` and the
 *    heap sizes). Any V8 flag also makes Node.js's own code cache of its built-in modules
 *    unusable, so requiring `https`, `crypto` or `stream` costs more there; bare `node` hardly
 *    changes. Each set has its own caches, made with those flags.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import {
  entrySource,
  lambdaNodeFlags,
  nodeCommand,
  produceCache,
  RUNTIME,
} from "../infra/code-cache/build.js";

type Runner = { command: string; args: string[] };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Median wall time of each `node <flags> -e <script>`, the scripts taking turns, run after run. */
function timeTurns(
  runner: Runner,
  flags: string[],
  scripts: Record<string, string>,
  runs: number,
): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(scripts).map((k) => [k, []]),
  );
  for (let i = 0; i < runs; i++) {
    for (const [name, script] of Object.entries(scripts)) {
      const t0 = performance.now();
      const r = spawnSync(runner.command, [...runner.args, ...flags, "-e", script], {
        stdio: "ignore",
        env: { PATH: process.env.PATH ?? "" },
      });
      if (r.status !== 0) throw new Error(`node -e ${script} failed (${r.status})`);
      times[name]?.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const req = (file: string) => `require(${JSON.stringify(file)})`;

/** The `node:` built-ins a bundle requires at its top level: the floor under any cache. */
function builtinsOf(bundle: string): string {
  const names = new Set(
    [...readFileSync(bundle, "utf8").matchAll(/require\("(node:[a-z_/]+)"\)/g)].map((m) => m[1]),
  );
  return [...names].map((n) => req(n as string)).join(";");
}

/** A function packaged as the plugin packages it: bundle, cache, entry module, in a folder. */
async function packaged(
  bundle: string,
  dir: string,
  flags: string[],
  runner: Runner,
): Promise<{ entry: string; cacheBytes: number; cacheGzipBytes: number; digestMs: number }> {
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(bundle);
  const { cache, digest } = await produceCache(source, { runner, flags });
  writeFileSync(join(dir, "fn.bundle.js"), source);
  writeFileSync(join(dir, "fn.bundle.js.cache"), cache);
  writeFileSync(join(dir, "fn.js"), entrySource("fn.bundle.js", digest));
  // What the entry module adds before V8 sees the cache: read it and check its SHA-256.
  const reads: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    createHash("sha256")
      .update(readFileSync(join(dir, "fn.bundle.js.cache")))
      .digest("hex");
    reads.push(performance.now() - t0);
  }
  return {
    entry: join(dir, "fn.js"),
    cacheBytes: cache.length,
    cacheGzipBytes: gzipSync(cache, { level: 9 }).length,
    digestMs: +median(reads).toFixed(2),
  };
}

/**
 * Where a load through the entry module spends its time, inside one fresh process: reading the
 * source, reading the cache and checking the SHA-256 of both, compiling (from the cache, or from the
 * source for comparison), and running the module-level code. Medians of `runs` processes.
 */
export function phases(runner: Runner, flags: string[], dir: string, runs: number) {
  const script = `
    const { readFileSync } = require("node:fs");
    const { createHash } = require("node:crypto");
    const { compile, run } = require(${JSON.stringify(join(__dirname, "../infra/code-cache/loader.js"))});
    const file = ${JSON.stringify(join(dir, "fn.bundle.js"))};
    const withCache = process.argv[1] === "cache";
    const t0 = performance.now();
    const bytes = readFileSync(file);
    const source = bytes.toString("utf8");
    const t1 = performance.now();
    const cache = withCache ? readFileSync(file + ".cache") : undefined;
    if (cache) createHash("sha256").update(bytes).update(cache).digest("hex");
    const t2 = performance.now();
    const script = compile(source, file, cache);
    if (withCache && script.cachedDataRejected) process.exit(3);
    const t3 = performance.now();
    run(script, file, ${JSON.stringify(dir)}, module);
    const t4 = performance.now();
    console.log(JSON.stringify({ readSource: t1 - t0, readCacheAndDigest: t2 - t1, compile: t3 - t2, run: t4 - t3 }));
  `;
  const sample = (mode: string) => {
    const rows: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(runner.command, [...runner.args, ...flags, "-e", script, mode], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
      });
      if (r.status !== 0) throw new Error(`phases (${mode}) failed: ${r.stderr}`);
      rows.push(JSON.parse(r.stdout.trim().split("\n").pop() as string));
    }
    return Object.fromEntries(
      Object.keys(rows[0] ?? {}).map((k) => [
        k,
        +median(rows.map((x) => x[k] as number)).toFixed(2),
      ]),
    );
  };
  return { withCache: sample("cache"), fromSource: sample("source") };
}

/**
 * The table: bare node, plain load, load with cache and the naive bundle, for the broker
 * and one DynamoDB-only function (getTenant), with each set of flags; then every API function
 * with its cache, against bare node, with Node.js's default flags.
 */
export async function coldStarts(
  out: string,
  built: Record<string, { file: string; bytes: number }>,
  apiFunctions: string[],
  runs: number,
) {
  const runner = nodeCommand(process.arch === "arm64" ? "arm64" : "x64");
  const sets = { defaults: [] as string[], lambda: lambdaNodeFlags(512) };
  const broker = built.createSession?.file as string;
  const dynamoOnly = built.getTenant?.file as string;
  const naive = built.naiveReference?.file as string;
  const bySet: Record<string, unknown> = {};
  for (const [set, flags] of Object.entries(sets)) {
    const b = await packaged(broker, join(out, set, "createSession"), flags, runner);
    const d = await packaged(dynamoOnly, join(out, set, "getTenant"), flags, runner);
    const t = timeTurns(
      runner,
      flags,
      {
        bare: "0",
        brokerBuiltins: builtinsOf(broker),
        brokerPlain: req(broker),
        brokerCache: req(b.entry),
        getTenantPlain: req(dynamoOnly),
        getTenantCache: req(d.entry),
        naive: req(naive),
      },
      runs,
    );
    const bare = t.bare as number;
    const row = (ms: number | undefined) => ({
      ms: +(ms as number).toFixed(1),
      ratio: +((ms as number) / bare).toFixed(2),
    });
    const cacheOf = (p: typeof b) => ({
      bytes: p.cacheBytes,
      gzipBytes: p.cacheGzipBytes,
      readAndDigestMs: p.digestMs,
    });
    bySet[set] = {
      flags,
      brokerPhasesMs: phases(runner, flags, join(out, set, "createSession"), runs),
      bareNodeMs: +bare.toFixed(1),
      broker: {
        bundleKB: +(statSync(broker).size / 1024).toFixed(1),
        builtinsOnly: row(t.brokerBuiltins),
        plain: row(t.brokerPlain),
        cache: row(t.brokerCache),
        cacheFile: cacheOf(b),
      },
      getTenant: {
        bundleKB: +(statSync(dynamoOnly).size / 1024).toFixed(1),
        plain: row(t.getTenantPlain),
        cache: row(t.getTenantCache),
        cacheFile: cacheOf(d),
      },
      naiveReference: { bundleKB: +(statSync(naive).size / 1024).toFixed(1), ...row(t.naive) },
    };
  }

  // Every API function with its cache, Node.js's default flags (the target: <= 1.3).
  const entries: Record<string, string> = {};
  for (const name of apiFunctions) {
    const file = built[name]?.file;
    if (!file) continue;
    entries[name] = (await packaged(file, join(out, "api", name), [], runner)).entry;
  }
  const t = timeTurns(
    runner,
    [],
    { bare: "0", ...Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, req(v)])) },
    runs,
  );
  const bare = t.bare as number;
  const apiWithCache = Object.fromEntries(
    Object.keys(entries).map((name) => [
      name,
      { ms: +(t[name] as number).toFixed(1), ratio: +((t[name] as number) / bare).toFixed(2) },
    ]),
  );
  const worst = Object.entries(apiWithCache).sort((a, b) => b[1].ratio - a[1].ratio)[0];
  const brokerRatio = (bySet.defaults as { broker: { cache: { ratio: number } } }).broker.cache
    .ratio;
  return {
    node: RUNTIME.node,
    arch: process.arch,
    runs,
    // Issue #17's targets on this machine, with Node.js's default flags.
    targets: {
      brokerWithCache: { target: 1.4, ratio: brokerRatio, met: brokerRatio <= 1.4 },
      everyApiFunctionWithCache: {
        target: 1.3,
        worst: worst?.[0],
        ratio: worst?.[1].ratio,
        over: Object.values(apiWithCache).filter((f) => f.ratio > 1.3).length,
        of: Object.keys(apiWithCache).length,
      },
    },
    ...bySet,
    apiFunctionsWithCache: { bareNodeMs: +bare.toFixed(1), functions: apiWithCache },
  };
}
