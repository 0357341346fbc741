/**
 * The entry module of every packaged function (infra/plugins/code-cache.js writes this file, then
 * one line that calls `load`, in place of the function's bundle, which it renames to
 * `<name>.bundle.js`). It loads the bundle with the V8 code cache that packaging produced for it
 * (`<name>.bundle.js.cache`), so V8 neither parses nor compiles what the cache holds.
 *
 * The cache is used only with the bundle packaging made it for: the SHA-256 of the two is written
 * into the entry module, and a pair that differs is not handed to V8 at all. (V8 checks the
 * cache's V8 version and build, its flags and the source's length, but neither the payload (a
 * corrupted one can crash the process) nor the source itself.) V8 may still reject a cache made
 * by another build of V8 or with other flags (a runtime other than the pinned one). Either way the bundle loads from its source, as a plain `require` would: the
 * handler behaves the same, and one log line (field `codeCache`: missing, digest or rejected)
 * with the metric `CodeCacheRejected` (embedded metric format) tells the operator.
 *
 * Plain CommonJS with only Node.js built-ins: it runs before anything else in the function.
 */
const { readFileSync } = require("node:fs");
const { createHash } = require("node:crypto");
const Module = require("node:module");
const { join } = require("node:path");
const vm = require("node:vm");

/** Where a loaded function's entry module records what happened to its cache (tests read it). */
const STATUS = Symbol.for("cross-account-control-plane.codeCache");
const METRIC = "CodeCacheRejected";
const NAMESPACE = "CrossAccountControlPlane";

/**
 * The wrapper `require` puts around a CommonJS module, written out (not `Module.wrap`, which a
 * tracing agent may patch) and ending its first line before the source, so that with
 * `lineOffset: -1` the bundle's lines and columns in stack traces are those of a plain `require`.
 * The cache is made on exactly this script (produce.js calls `compile` too).
 */
const HEAD = "(function (exports, require, module, __filename, __dirname) {\n";
const TAIL = "\n})";

/** Compiles the bundle's source as `require` would, with or without the cache. */
function compile(source, filename, cachedData) {
  return new vm.Script(HEAD + source + TAIL, {
    filename,
    lineOffset: -1,
    cachedData,
    // Bundles keep a few `import("node:...")` of built-ins (the SDK's http handler for http://
    // endpoints, Powertools' context store when Lambda runs several requests at once); without
    // this they would throw. Node.js 22 keeps it for a script from a cache (Node.js 20 does not),
    // and prints once, when the first such import() runs, that the constant is experimental.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/**
 * Runs the compiled bundle as the module `filename`, registered in `require.cache` as `require`
 * registers a module (removed again if it throws); returns its exports.
 */
function run(script, filename, dir, parent) {
  const mod = new Module(filename, parent);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(dir);
  Module._cache[filename] = mod;
  try {
    const wrapper = script.runInThisContext();
    wrapper.call(mod.exports, mod.exports, Module.createRequire(filename), mod, filename, dir);
  } catch (err) {
    delete Module._cache[filename];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

/** The digest an entry module names: of the bundle and its cache together, in that order. */
function digestOf(source, cache) {
  return createHash("sha256").update(source).update(cache).digest("hex");
}

/** One line for the operator: a log field and the metric, in CloudWatch's embedded metric format. */
function report(reason, filename) {
  const service = process.env.POWERTOOLS_SERVICE_NAME || "control-plane";
  process.stdout.write(
    `${JSON.stringify({
      level: "WARN",
      message: "code cache not used: the bundle was compiled from its source",
      service,
      codeCache: reason,
      bundle: filename,
      node: process.version,
      v8: process.versions.v8,
      execArgv: process.execArgv,
      reason,
      [METRIC]: 1,
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [["service", "reason"]],
            Metrics: [{ Name: METRIC, Unit: "Count" }],
          },
        ],
      },
    })}\n`,
  );
}

/**
 * Loads `<dir>/<bundle>` with `<dir>/<bundle>.cache` when the two together have the SHA-256
 * `digest` (V8 would take a cache made for another bundle of the same length, and run a mix of
 * both). Returns the bundle's exports (the handler).
 */
function load(dir, bundle, digest, parent) {
  const filename = join(dir, bundle);
  const bytes = readFileSync(filename);
  let cachedData;
  let reason;
  try {
    cachedData = readFileSync(`${filename}.cache`);
  } catch {
    reason = "missing";
  }
  if (cachedData && digestOf(bytes, cachedData) !== digest) {
    cachedData = undefined;
    reason = "digest";
  }
  // V8 does not throw on a cache it cannot use: it compiles the source and says it rejected it.
  const script = compile(bytes.toString("utf8"), filename, cachedData);
  if (cachedData && script.cachedDataRejected) reason = "rejected";
  globalThis[STATUS] = { status: reason ? "not-used" : "accepted", reason, bundle: filename };
  if (reason) report(reason, filename);
  return run(script, filename, dir, parent);
}

module.exports = { load, compile, run, digestOf, STATUS, METRIC, NAMESPACE };
