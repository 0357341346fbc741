/**
 * The entry module of every packaged function (infra/plugins/code-cache.js writes this file, then
 * one line that calls `load`, in place of the function's bundle, which it renames to
 * `<name>.bundle.js`). It loads the bundle with the V8 code cache that packaging produced for it
 * (`<name>.bundle.js.cache`), so V8 neither parses nor compiles what the cache holds.
 *
 * The cache is used only when it is the one packaging made: its SHA-256 is written into the entry
 * module, and a cache that differs is not handed to V8 at all (V8 checks its version, its flags and
 * the source's length, but not the payload: a corrupted payload can crash the process). V8 may
 * still reject a cache made by another V8 version or with other flags (a runtime other than the
 * pinned one). Either way the bundle loads from its source, as a plain `require` would: the
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
 * Compiles the bundle's source as `require` would (the same wrapper, so that a cache made by
 * `createCachedData` on this script is accepted), with or without the cache.
 */
function compile(source, filename, cachedData) {
  return new vm.Script(Module.wrap(source), {
    filename,
    cachedData,
    // Bundles keep a few `import("node:...")` of built-ins; without this they would throw. (Node.js
    // 22 keeps it for a script from a cache, Node.js 20 does not; it warns once that the constant
    // is experimental.)
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the compiled bundle as the module `filename`; returns its exports. */
function run(script, filename, dir, parent) {
  const mod = new Module(filename, parent);
  mod.filename = filename;
  mod.paths = [];
  const wrapper = script.runInThisContext();
  wrapper.call(mod.exports, mod.exports, Module.createRequire(filename), mod, filename, dir);
  mod.loaded = true;
  return mod.exports;
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
 * Loads `<dir>/<bundle>` with `<dir>/<bundle>.cache` when that file's SHA-256 is `digest`.
 * Returns the bundle's exports (the handler).
 */
function load(dir, bundle, digest, parent) {
  const filename = join(dir, bundle);
  const source = readFileSync(filename, "utf8");
  let cachedData;
  let reason;
  try {
    cachedData = readFileSync(`${filename}.cache`);
  } catch {
    reason = "missing";
  }
  if (cachedData && createHash("sha256").update(cachedData).digest("hex") !== digest) {
    cachedData = undefined;
    reason = "digest";
  }
  // V8 does not throw on a cache it cannot use: it compiles the source and says it rejected it.
  const script = compile(source, filename, cachedData);
  if (cachedData && script.cachedDataRejected) reason = "rejected";
  globalThis[STATUS] = { status: reason ? "not-used" : "accepted", reason, bundle: filename };
  if (reason) report(reason, filename);
  return run(script, filename, dir, parent);
}

module.exports = { load, compile, run, STATUS, METRIC, NAMESPACE };
