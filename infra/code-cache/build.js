/**
 * Builds the V8 code cache of a function bundle with the Node.js of the pinned Lambda runtime
 * (infra/lambda-runtime.json), for a given architecture, and the entry module that loads it.
 * Used by the packaging plugin (infra/plugins/code-cache.js), the packaging tests and the bench.
 */
const { execFileSync, execFile } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { promisify } = require("node:util");
const { digestOf } = require("./loader.js");

const ROOT = join(__dirname, "../..");
const RUNTIME = JSON.parse(readFileSync(join(ROOT, "infra/lambda-runtime.json"), "utf8"));
const LOADER = join(__dirname, "loader.js");
const PRODUCE = join(__dirname, "produce.js");
const QEMU = join(ROOT, ".tools/qemu-arm64");

const HOST_ARCH = process.arch;

/**
 * The V8 flags Lambda's Node.js runtime starts `node` with, for a function of `memoryMb`: its
 * bootstrap adds `--expose-gc` and sizes the heap from AWS_LAMBDA_FUNCTION_MEMORY_SIZE (new space
 * a tenth of it, each semi-space half of that, old space the rest). V8 folds every flag into a
 * hash that a code cache must match, so a cache made without them is rejected on Lambda.
 * (`--max-http-header-size` and Lambda's `--no-experimental-*` switches are Node.js options, which
 * V8's hash does not see.)
 */
function lambdaNodeFlags(memoryMb) {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    "--expose-gc",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** Installs what is missing (tools/build/ensure-lambda-node.sh), once per process. */
let ensured = false;
function ensureToolchain() {
  if (ensured) return;
  execFileSync("bash", [join(ROOT, "tools/build/ensure-lambda-node.sh")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  ensured = true;
}

/** The pinned Node.js binary for `arch` (arm64 or x64), from infra/lambda-node. */
function nodeBinary(arch) {
  const pkg = join(ROOT, "infra/lambda-node/node_modules", `node-linux-${arch}`);
  const { version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  if (version !== RUNTIME.node) {
    throw new Error(
      `infra/lambda-node has node-linux-${arch} ${version}, the runtime is pinned to ${RUNTIME.node}: update infra/lambda-node/package.json with infra/lambda-runtime.json`,
    );
  }
  return join(pkg, "bin/node");
}

/**
 * How to run the pinned Node.js for `arch` on this machine: natively when the machine is of that
 * architecture, arm64 under Debian's user-mode emulator (qemu-aarch64-static with the arm64 C
 * libraries) on an x64 machine.
 */
function nodeCommand(arch = RUNTIME.architecture) {
  ensureToolchain();
  const node = nodeBinary(arch);
  if (arch === HOST_ARCH) return { command: node, args: [] };
  if (arch === "arm64" && HOST_ARCH === "x64") {
    return {
      command: join(QEMU, "usr/bin/qemu-aarch64-static"),
      args: ["-L", join(QEMU, "usr/aarch64-linux-gnu"), node],
    };
  }
  throw new Error(`cannot run Node.js for ${arch} on a ${HOST_ARCH} machine`);
}

/** The environment of a warm-up: no credentials that work, and an endpoint nothing listens on. */
function warmUpEnv(functionEnv = {}) {
  const env = {};
  for (const [key, value] of Object.entries(functionEnv)) {
    env[key] = typeof value === "string" || typeof value === "number" ? String(value) : "warm-up";
  }
  return {
    ...env,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "warm-up",
    AWS_SECRET_ACCESS_KEY: "warm-up",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
}

/**
 * Produces the code cache of `source` (a function's bundle) as Lambda's Node.js will load it, in a
 * process of its own. Returns the cache and the digest its entry module checks (the SHA-256 of the
 * bundle and the cache together). `runner` and `flags` replace the
 * pinned Node.js and Lambda's flags (tests: the Node.js running them, with its own flags).
 * @param {Buffer | string} source
 * @param {{ memoryMb?: number, arch?: string, env?: Record<string, unknown>, flags?: string[],
 *   runner?: { command: string, args: string[] } }} [options]
 * @returns {Promise<{ cache: Buffer, digest: string }>}
 */
async function produceCache(
  source,
  { memoryMb, arch = RUNTIME.architecture, env, flags, runner } = {},
) {
  const { command, args } = runner ?? nodeCommand(arch);
  const dir = mkdtempSync(join(tmpdir(), "cp-code-cache-"));
  try {
    const bundle = join(dir, "function.bundle.js");
    const cacheFile = `${bundle}.cache`;
    writeFileSync(bundle, source);
    await promisify(execFile)(
      command,
      [...args, ...(flags ?? lambdaNodeFlags(memoryMb ?? 1024)), PRODUCE, bundle, cacheFile],
      // A bundle that left a timer or a handle open would keep its warm-up alive: produce.js
      // exits once the cache is written, and a warm-up that takes two minutes is stopped.
      { env: warmUpEnv(env), maxBuffer: 16 * 1024 * 1024, timeout: 120_000, killSignal: "SIGKILL" },
    );
    const cache = readFileSync(cacheFile);
    return { cache, digest: digestOf(Buffer.from(source), cache) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The entry module: the loader, then the call that loads `bundle` when it and its cache have
 * `digest`. The loader's own exports line is left out; the last line tells Node.js's CommonJS
 * lexer that the module exports `handler` (as esbuild's own output does), for a runtime that
 * loads the handler with `import()`.
 */
function entrySource(bundle, digest) {
  const loader = readFileSync(LOADER, "utf8");
  const exportsLine = /^module\.exports = \{[^}]*\};\n$/m;
  if (!exportsLine.test(loader)) throw new Error("infra/code-cache/loader.js: no exports line");
  const call =
    `module.exports = load(__dirname, ${JSON.stringify(bundle)}, ${JSON.stringify(digest)}, module);\n` +
    "0 && (module.exports = { handler });\n";
  return loader.replace(exportsLine, call);
}

module.exports = {
  RUNTIME,
  lambdaNodeFlags,
  nodeCommand,
  produceCache,
  entrySource,
  digestOf,
  warmUpEnv,
};
