/**
 * A V8 code cache in every function's zip (issue #17; docs/performance.md, "Cold starts"). After
 * serverless-esbuild has zipped each function, this rewrites the zip:
 *   functions/<area>/<name>.js              the entry module (infra/code-cache/loader.js + one call)
 *   functions/<area>/<name>.bundle.js       the bundle serverless-esbuild built, unchanged
 *   functions/<area>/<name>.bundle.js.cache its V8 code cache, made by the pinned runtime's Node.js
 *                                           for the functions' architecture, with Lambda's flags
 * The handler setting stays as it is: Lambda loads the entry module under the bundle's old name.
 *
 * The cache is made with the Node.js of infra/lambda-runtime.json, which must be the runtime
 * version serverless.ts pins (runtimeManagement): a test keeps them in step. It refuses to
 * package a function whose runtime or architecture is not the pinned one.
 */
const { readFileSync, writeFileSync } = require("node:fs");
const { basename } = require("node:path");
const JSZip = require("jszip");
const { RUNTIME, entrySource, produceCache } = require("../code-cache/build.js");

/** Two at a time: each is a Node.js process, under emulation on an x64 machine. */
const CONCURRENCY = 2;

class CodeCache {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      "after:package:createDeploymentArtifacts": () => this.addCaches(),
      "before:deploy:deploy": () => this.refuseUnpinned(),
    };
  }

  /**
   * A deploy to a region without a recorded runtime version would upload everything and then fail
   * in CloudFormation (the ARN serverless.ts falls back to names no runtime): stop first.
   * (npm run deploy checks the same before it builds anything.)
   */
  refuseUnpinned() {
    const arn = this.serverless.service.provider.runtimeManagement?.arn ?? "";
    if (arn.endsWith(":runtime:unrecorded")) {
      const region = this.serverless.service.provider.region;
      throw new Error(
        `code-cache: no runtime version is recorded for ${region} in infra/lambda-runtime.json (docs/operations.md, "The Lambda runtime")`,
      );
    }
  }

  async addCaches() {
    const service = this.serverless.service;
    const provider = service.provider;
    const names = service.getAllFunctions();
    const started = Date.now();
    const { default: pLimit } = await import("p-limit");
    const limit = pLimit(CONCURRENCY);
    await Promise.all(
      names.map((name) =>
        limit(async () => {
          try {
            await this.addCache(name, service.getFunction(name), provider);
          } catch (err) {
            // No other warm-up starts; the error names this function.
            limit.clearQueue();
            throw new Error(`code-cache: ${name}: ${err.message}`, { cause: err });
          }
        }),
      ),
    );
    this.serverless.cli.log(
      `code-cache: ${names.length} functions, Node.js ${RUNTIME.node} ${RUNTIME.architecture}, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  async addCache(name, fn, provider) {
    const runtime = fn.runtime ?? provider.runtime;
    const architecture = fn.architecture ?? provider.architecture ?? "x86_64";
    if (runtime !== RUNTIME.runtime || architecture !== RUNTIME.architecture) {
      throw new Error(
        `code-cache: ${name} runs ${runtime} on ${architecture}; the caches are built for ${RUNTIME.runtime} on ${RUNTIME.architecture} (infra/lambda-runtime.json)`,
      );
    }
    const artifact = fn.package?.artifact;
    if (!artifact) throw new Error(`code-cache: ${name} has no artifact to add its cache to`);
    const file = `${fn.handler.slice(0, fn.handler.lastIndexOf("."))}.js`;
    const zip = await JSZip.loadAsync(readFileSync(artifact));
    const entry = zip.file(file);
    if (!entry) throw new Error(`code-cache: ${artifact} has no ${file}`);
    const source = await entry.async("nodebuffer");
    const memoryMb = Number(fn.memorySize ?? provider.memorySize ?? 1024);
    const { cache, digest } = await produceCache(source, {
      memoryMb,
      // The function's environment, and what Lambda sets that module-level code may read.
      env: {
        ...provider.environment,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.name ?? name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memoryMb,
        AWS_EXECUTION_ENV: `AWS_Lambda_${RUNTIME.runtime}`,
        LAMBDA_TASK_ROOT: "/var/task",
        _HANDLER: fn.handler,
      },
    });
    const bundle = `${basename(file, ".js")}.bundle.js`;
    const dir = file.slice(0, file.length - basename(file).length);
    // The same date and permissions as serverless-esbuild's entries (its zips are reproducible).
    const options = { date: entry.date, unixPermissions: 0o100644, createFolders: false };
    zip.remove(file);
    zip.file(`${dir}${bundle}`, source, options);
    zip.file(`${dir}${bundle}.cache`, cache, options);
    zip.file(file, entrySource(bundle, digest), options);
    const out = await zip.generateAsync({
      type: "nodebuffer",
      platform: "UNIX",
      compression: "DEFLATE",
      compressionOptions: { level: 9 },
    });
    writeFileSync(artifact, out);
  }
}

module.exports = CodeCache;
