/** Bundles the CLI (client/src/bin.ts) into one file, dist/cpctl.js, for credential_process profiles. */
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../local-aws/local-stack";

export async function buildCli(outfile = join(ROOT, "dist/cpctl.js")): Promise<string> {
  await build({
    entryPoints: [join(ROOT, "client/src/bin.ts")],
    bundle: true,
    minify: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    logLevel: "error",
  });
  chmodSync(outfile, 0o755);
  return outfile;
}

if (process.argv[1]?.endsWith("build-cli.ts")) {
  void buildCli().then((f) => console.log(`built ${f}`));
}
