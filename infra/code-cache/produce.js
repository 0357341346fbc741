/**
 * `node <Lambda's flags> produce.js <bundle> <cache>`: writes the V8 code cache of one function's
 * bundle. Run by infra/code-cache/build.js with the Node.js of the pinned Lambda runtime, for the
 * functions' architecture, with the V8 flags Lambda starts Node.js with (V8 accepts a cache only
 * from the same version and flags).
 *
 * One warm-up first: the bundle is compiled exactly as the entry module compiles it (loader.js)
 * and its module-level work runs (clients, schemas, middlewares built), so that the functions
 * compiled lazily while loading are in the cache too. Nothing may reach the network meanwhile:
 * every outgoing connection throws, so a bundle that called AWS while loading fails the package.
 */
const { readFileSync, writeFileSync } = require("node:fs");
const net = require("node:net");
const { dirname, resolve } = require("node:path");
const { compile, run } = require("./loader.js");

const [bundleArg, cacheArg] = process.argv.slice(2);
if (!bundleArg || !cacheArg) {
  console.error("usage: node produce.js <bundle> <cache>");
  process.exit(2);
}
const bundle = resolve(bundleArg);

const refuse = () => {
  throw new Error("code cache warm-up: the bundle opened a connection while loading");
};
net.Socket.prototype.connect = refuse;

const script = compile(readFileSync(bundle, "utf8"), bundle, undefined);
const exported = run(script, bundle, dirname(bundle), module);
if (typeof exported.handler !== "function") {
  console.error(`code cache warm-up: ${bundle} exports no handler`);
  process.exit(3);
}
// Module-level promises settle first: what they compile belongs in the cache as well.
setImmediate(() => {
  writeFileSync(resolve(cacheArg), script.createCachedData());
  // Whatever the bundle's module-level code left running (a timer, a socket pool) ends here.
  process.exit(0);
});
