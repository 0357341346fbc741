import { defineConfig } from "tsup";

/**
 * The published package: the library as ESM and CommonJS, each with its own declaration file, and
 * cpctl as one CommonJS file. No dependency: Node's fetch, crypto and fs only.
 */
export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    platform: "node",
    target: "node20",
    clean: true,
  },
  {
    entry: { cpctl: "src/bin.ts" },
    format: ["cjs"],
    platform: "node",
    target: "node20",
    minify: true,
  },
]);
