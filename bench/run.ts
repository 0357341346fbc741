/**
 * `npm run bench`: figures for docs/performance.md, written to bench/results.json.
 *  1. Bundle size of every function, built with the esbuild options serverless.ts uses.
 *  2. Cold loads (bench/cold-start.ts): on the pinned Lambda runtime's Node.js, bare node, the
 *     bundle's plain load, its load through the entry module with its V8 code cache, and the
 *     naive reference bundle, for the broker and getTenant; every API function with its cache.
 *  3. Warm per-request overhead of the HTTP stack (auth, validation, handler, error mapping)
 *     against zero-latency DynamoDB stubs, and DynamoDB reads per request.
 *  4. The session broker: warm overhead on a cache hit and a miss (zero-latency DynamoDB and STS
 *     stubs), and STS calls per cache key over a credential's usable lifetime.
 *  5. The health sweep, fanned out over the sharded accounts index under one AssumeRole budget,
 *     against stubs with injected latency and an STS token bucket (bench/sweep.ts, one process per
 *     scenario): time against N/R, one worker's peak memory, items read.
 *  6. Partition heat (bench/heat.ts): capacity units per partition key per second, index keys
 *     included, for the sweep of 1,000,000 accounts, 1,000 sessions/s and 200 registrations/s.
 *  7. The organization walk and job (bench/org.ts): 5,000 accounts, 300 OUs, 5 levels, a
 *     throttling API; the job's invocations, calls, saved state and the writes of a second sync.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { build } from "esbuild";
import configuration from "../serverless";
import { hashApiKey } from "../shared/domain/api-key";
import { ROOT } from "../tools/local-aws/local-stack";
import { coldStarts } from "./cold-start";
import { organizationJob, organizationWalk } from "./org";

// serverless.ts as osls loads it: its esbuild options and its functions.
const sls = configuration as unknown as {
  custom: { esbuild: Record<string, never> };
  functions: Record<string, { handler: string; events?: { http?: unknown }[] }>;
};
const esb = sls.custom.esbuild;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

async function bundles() {
  const out = mkdtempSync(join(tmpdir(), "cp-bench-"));
  const result: Record<string, { bytes: number; file: string }> = {
    naiveReference: await naiveReference(out),
  };
  for (const [name, fn] of Object.entries(sls.functions)) {
    const entry = `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.ts`;
    const file = join(out, `${name}.js`);
    await build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      minify: esb.minify,
      platform: esb.platform,
      target: esb.target,
      format: esb.format,
      mainFields: esb.mainFields,
      alias: Object.fromEntries(
        Object.entries(esb.alias ?? {}).map(([k, v]) => [k, join(ROOT, String(v))]),
      ),
      outfile: file,
      logLevel: "error",
    });
    result[name] = { bytes: statSync(file).size, file };
  }
  return result;
}

/** The naive reference bundle (bench/reference/naive-broker.ts), built without our aids. */
async function naiveReference(out: string) {
  const file = join(out, "naive-broker.js");
  await build({
    entryPoints: [join(ROOT, "bench/reference/naive-broker.ts")],
    bundle: true,
    minify: true,
    platform: "node",
    target: esb.target,
    format: "cjs",
    outfile: file,
    logLevel: "error",
  });
  return { bytes: statSync(file).size, file };
}

async function warmOverhead() {
  process.env.TABLE_NAME = "bench";
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "bench";
  process.env.AWS_SECRET_ACCESS_KEY = "bench";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.API_KEY_CACHE_TTL_SECONDS = "30";
  const ddb = mockClient(DynamoDBDocumentClient);
  const key = "cpk_bench-admin-key";
  const tenant = {
    tenantId: "tnt_01m842avwd7nqry6k9nnr1wgjf",
    name: "Bench",
    status: "ACTIVE",
    externalId: { current: "cpx-bench", currentSince: "2026-11-23T10:00:00.000Z" },
    createdAt: "2026-11-23T10:00:00.000Z",
    updatedAt: "2026-11-23T10:00:00.000Z",
    version: 1,
  };
  ddb.on(GetCommand).callsFake((input: { Key: { PK: string } }) =>
    input.Key.PK.startsWith("APIKEY#")
      ? {
          Item: {
            PK: `APIKEY#${hashApiKey(key)}`,
            keyId: "key_1",
            role: "admin",
            createdAt: tenant.createdAt,
          },
        }
      : { Item: tenant },
  );
  const mod = await import("../functions/tenants/getTenant");
  const base = JSON.parse(readFileSync(join(ROOT, "test/fixtures/apigw-rest-event.json"), "utf8"));
  const context = {
    ...JSON.parse(readFileSync(join(ROOT, "test/fixtures/lambda-context.json"), "utf8")),
    getRemainingTimeInMillis: () => 10_000,
  } as Context;
  const event: APIGatewayProxyEvent = {
    ...base,
    httpMethod: mod.route.method,
    path: mod.route.path.replace("{tenantId}", tenant.tenantId),
    resource: mod.route.path,
    pathParameters: { tenantId: tenant.tenantId },
    headers: { ...base.headers, Authorization: `Bearer ${key}` },
  };
  const times: number[] = [];
  for (let i = 0; i < 6000; i++) {
    const t0 = performance.now();
    const res = await mod.handler(event, context);
    const dt = performance.now() - t0;
    if (res.statusCode !== 200)
      throw new Error(`bench request failed: ${res.statusCode} ${res.body}`);
    if (i >= 1000) times.push(dt);
  }
  const getItemsPerRequest = ddb.commandCalls(GetCommand).length / 6000;
  ddb.restore();
  return {
    p50Ms: +percentile(times, 50).toFixed(4),
    p99Ms: +percentile(times, 99).toFixed(4),
    requests: times.length,
    // 1 = the tenant read only: the key lookup is served by the container's key cache.
    getItemsPerRequest: +getItemsPerRequest.toFixed(3),
  };
}

async function brokerOverhead() {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const { BatchGetCommand, PutCommand } = await import("@aws-sdk/lib-dynamodb");
  const ddb = mockClient(DynamoDBDocumentClient);
  const sts = mockClient(STSClient);
  const key = "cpk_bench-service-key";
  const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/broker-state.json"), "utf8"));
  const T: string = fixture.tenantId;
  const A: string = fixture.accountId;
  const items: Record<string, unknown>[] = fixture.items;

  // The key lookup, and the grant's only permission set (read when the request names none).
  const byKey = new Map<string, Record<string, unknown>>([
    [
      `APIKEY#${hashApiKey(key)}`,
      {
        PK: `APIKEY#${hashApiKey(key)}`,
        keyId: "key_1",
        role: "service",
        service: fixture.service,
        createdAt: "x",
      },
    ],
    ...items.map((item) => [String(item.PK), item] as [string, Record<string, unknown>]),
  ]);
  ddb.on(GetCommand).callsFake((input) => ({ Item: byKey.get(String(input.Key?.PK)) }));
  ddb.on(BatchGetCommand).resolves({ Responses: { bench: items } });
  ddb.on(PutCommand).resolves({});
  sts.on(AssumeRoleCommand).callsFake(() => ({
    Credentials: {
      AccessKeyId: "ASIA",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 3600_000),
    },
    AssumedRoleUser: { Arn: `arn:aws:sts::${A}:assumed-role/Access/bench-x`, AssumedRoleId: "x" },
  }));
  process.env.TABLE_NAME = "bench";
  process.env.CONTROL_PLANE_ACCOUNT_ID = "123456789012";
  const mod = await import("../functions/brokering/createSession");
  const base = JSON.parse(readFileSync(join(ROOT, "test/fixtures/apigw-rest-event.json"), "utf8"));
  const context = {
    ...JSON.parse(readFileSync(join(ROOT, "test/fixtures/lambda-context.json"), "utf8")),
    getRemainingTimeInMillis: () => 10_000,
  } as Context;
  const event = (duration: number): APIGatewayProxyEvent => ({
    ...base,
    httpMethod: mod.route.method,
    path: mod.route.path,
    resource: mod.route.path,
    headers: {
      ...base.headers,
      Authorization: `Bearer ${key}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({ tenantId: T, accountId: A, durationSeconds: duration }),
  });
  const run = async (n: number, duration: (i: number) => number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await mod.handler(event(duration(i)), context);
      times.push(performance.now() - t0);
      if (res.statusCode !== 201)
        throw new Error(`bench session failed: ${res.statusCode} ${res.body}`);
    }
    return times;
  };
  await run(500, () => 900); // warm-up (one miss, then hits)
  const stsBefore = sts.commandCalls(AssumeRoleCommand).length;
  const hits = await run(5000, () => 900);
  const stsDuringHits = sts.commandCalls(AssumeRoleCommand).length - stsBefore;
  const misses = await run(1000, (i) => 901 + i); // every request a new cache key
  ddb.restore();
  sts.restore();
  return {
    hit: {
      p50Ms: +percentile(hits, 50).toFixed(4),
      p99Ms: +percentile(hits, 99).toFixed(4),
      requests: hits.length,
      stsCalls: stsDuringHits,
    },
    miss: {
      p50Ms: +percentile(misses, 50).toFixed(4),
      p99Ms: +percentile(misses, 99).toFixed(4),
      requests: misses.length,
    },
  };
}

/** STS calls for one cache key when requests arrive every 3 s across a one-hour credential's life. */
async function stsCallsPerLifetime() {
  const { SessionCache } = await import("../shared/services/session-cache");
  const cache = new SessionCache<{ expiration: Date }>();
  let calls = 0;
  let now = Date.parse("2026-11-23T10:00:00.000Z");
  const start = now;
  // Usable life: one hour, minus the 5 minutes before expiry in which a new session is fetched.
  while (now < start + 55 * 60_000) {
    await cache.get("key", now, async () => {
      calls += 1;
      return { expiration: new Date(now + 3600_000) };
    });
    now += 3000;
  }
  return { requests: (55 * 60) / 3, stsCalls: calls };
}

/** One sweep per scenario, each in its own process (bench/sweep.ts) so peak memory is its own. */
function sweeps() {
  const scenarios = [
    // Fanned out as deployed (4 workers over the 16 shards, one budget in time slots): the
    // sweep's time against N / R (issue #16: within 1.2x).
    { accounts: 10_000, budget: 600, workers: 4, concurrency: 64, latencyMs: 50 },
    { accounts: 100_000, budget: 2_500, workers: 4, concurrency: 64, latencyMs: 20 },
    // One worker's memory against the number of accounts it checks (issue #16: under 200 MB
    // whatever N): 10,000, then ten times more.
    { accounts: 10_000, budget: 2_500, workers: 1, concurrency: 64, latencyMs: 20 },
    { accounts: 100_000, budget: 2_500, workers: 1, concurrency: 64, latencyMs: 20 },
  ];
  return scenarios.map((scenario) => {
    const r = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", join(ROOT, "bench/sweep.ts"), JSON.stringify(scenario)],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" } },
    );
    if (r.status !== 0) throw new Error(`sweep bench failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim());
  });
}

/** The partition-heat model (bench/heat.ts), in its own process (it sizes its own heap). */
function heat() {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/heat.ts")], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" },
  });
  if (r.status !== 0) throw new Error(`heat model failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

async function main() {
  const built = await bundles();
  const sizes = Object.fromEntries(
    Object.entries(built).map(([k, v]) => [k, +(v.bytes / 1024).toFixed(1)]),
  );
  const apiFunctions = Object.entries(sls.functions)
    .filter(([, fn]) => (fn.events ?? []).some((e) => e.http))
    .map(([name]) => name);
  const cold = await coldStarts(mkdtempSync(join(tmpdir(), "cp-cold-")), built, apiFunctions, 21);
  const warm = await warmOverhead();
  const broker = await brokerOverhead();
  const lifetime = await stsCallsPerLifetime();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    bundleKB: sizes,
    // Issue #17: cold loads on the pinned runtime's Node.js, with and without the code cache.
    coldStart: cold,
    warmGetTenant: warm,
    broker: {
      bundleKB: sizes.createSession,
      warm: broker,
      stsCallsPerKeyPerLifetime: lifetime,
    },
    healthSweep: sweeps(),
    partitionHeat: heat(),
    organizationWalk: await organizationWalk(),
    organizationJob: await organizationJob(),
  };
  writeFileSync(join(ROOT, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

void main();
