import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The layer boundaries in biome.json (noRestrictedImports) are checked by running Biome on probe
 * files: for each layer, modules that import what the layer must not (each must fail with that
 * layer's message) and one that imports what it may (it must pass). A boundary whose pattern
 * matches nothing fails here, not silently. One Biome run lints every probe, in the layers'
 * folders of a temporary copy of the layout holding the repository's biome.json: a probe in the
 * working tree itself would be seen, while it lives, by the layout test and by anyone's build.
 */
const ROOT = join(__dirname, "../..");

interface Override {
  includes: string[];
  linter?: {
    rules?: {
      style?: { noRestrictedImports?: { options: { patterns: { message: string }[] } } };
    };
  };
}
const overrides: Override[] = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")).overrides;

/** The messages of the boundary whose `includes` holds `glob`: the layer's own, then the others. */
function messagesOf(glob: string): string[] {
  const found = overrides.find(
    (o) => o.includes.includes(glob) && o.linter?.rules?.style?.noRestrictedImports,
  );
  if (!found) throw new Error(`biome.json has no import boundary for ${glob}`);
  return (found.linter?.rules?.style?.noRestrictedImports?.options.patterns ?? []).map(
    (p) => p.message,
  );
}

interface Layer {
  name: string;
  /** The override's includes entry. */
  glob: string;
  /** Where the probes are written (a nested folder where the layer has one). */
  dir: string;
  /** Imports the layer's own message refuses. */
  forbidden: string[];
  /** Imports refused as tools (tools/, ops/, test/) in product code; the layer's second message. */
  tools?: string[];
  /** Imports the layer may make, all in one module that must lint clean. */
  allowed: string[];
}

const LAYERS: Layer[] = [
  {
    name: "domain",
    glob: "shared/domain/**",
    dir: "shared/domain",
    forbidden: ["@aws-sdk/client-dynamodb", "../ports/common", "../wiring/common", "../config"],
    tools: ["../../tools/local-aws/local-stack"],
    allowed: ["../errors", "./account", "node:crypto"],
  },
  {
    name: "services",
    glob: "shared/services/**",
    dir: "shared/services",
    forbidden: [
      "../wiring/common",
      "../adapters/dynamo-client",
      "../http/presenters",
      "@aws-sdk/client-sts",
    ],
    tools: ["../../test/support/memory"],
    allowed: ["../ports/common", "../domain/account", "../errors", "./readiness", "p-limit"],
  },
  {
    name: "adapters",
    glob: "shared/adapters/**",
    dir: "shared/adapters",
    forbidden: ["../services/readiness", "../wiring/common", "../http/handler"],
    tools: ["../../ops/deploy"],
    allowed: ["@aws-sdk/lib-dynamodb", "../ports/health", "../domain/account", "../config"],
  },
  {
    name: "http",
    glob: "shared/http/**",
    dir: "shared/http/schemas",
    forbidden: ["../../adapters/dynamo-client", "../../wiring/common", "@aws-sdk/client-dynamodb"],
    allowed: ["../../ports/common", "../../domain/account", "../../errors", "../route-def"],
  },
  {
    name: "wiring",
    glob: "shared/wiring/**",
    dir: "shared/wiring",
    forbidden: ["../../functions/health/health"],
    tools: ["../../tools/local-aws/local-stack"],
    allowed: ["../adapters/dynamo-table-probe", "../services/readiness", "@aws-sdk/client-lambda"],
  },
  {
    name: "functions",
    glob: "functions/**",
    dir: "functions/health",
    forbidden: [
      "@aws-sdk/client-dynamodb",
      "../../shared/adapters/lambda-async-invoke",
      "../../shared/services/readiness",
      "../../shared/config",
    ],
    tools: ["../../tools/local-aws/local-stack"],
    allowed: [
      "../../shared/http/handler",
      "../../shared/wiring/health",
      "../../shared/domain/verification",
      "../../shared/logger",
    ],
  },
  ...["services", "domain", "model"].map(
    (tier): Layer => ({
      name: `${tier} tests`,
      glob: `test/unit/${tier}/**`,
      dir: `test/unit/${tier}`,
      forbidden: [
        "aws-sdk-client-mock",
        "@aws-sdk/lib-dynamodb",
        "../../../shared/adapters/dynamo-client",
        "../../../shared/adapters/eventbridge-events",
        "../../../shared/wiring/health",
      ],
      allowed: ["../../../shared/adapters/system", "../../support/memory", "vitest"],
    }),
  ),
];

interface Probe {
  layer: string;
  path: string;
  specifiers: string[];
  /** The message expected on each import; undefined: none at all. */
  expect?: string;
}

const probes: Probe[] = LAYERS.flatMap((layer) => {
  const [own, tools] = messagesOf(layer.glob);
  const probe = (kind: string, n: number, specifiers: string[], expect?: string): Probe => ({
    layer: layer.name,
    path: `${layer.dir}/probe-${kind}${n}.ts`,
    specifiers,
    ...(expect === undefined ? {} : { expect }),
  });
  return [
    ...layer.forbidden.map((s, n) => probe("forbidden", n, [s], own)),
    ...(layer.tools ?? []).map((s, n) => probe("tools", n, [s], tools)),
    probe("allowed", 0, layer.allowed),
  ];
});

/** A module importing each specifier, and using it (so that only the boundary can object). */
const moduleOf = (specifiers: string[]) =>
  `${specifiers.map((s, n) => `import * as m${n} from "${s}";`).join("\n")}\nexport const probe = [${specifiers.map((_, n) => `m${n}`).join(", ")}];\n`;

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}
let diagnostics: Diagnostic[] = [];
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lint-probes-"));
  try {
    copyFileSync(join(ROOT, "biome.json"), join(root, "biome.json"));
    for (const p of probes) {
      mkdirSync(dirname(join(root, p.path)), { recursive: true });
      writeFileSync(join(root, p.path), moduleOf(p.specifiers));
    }
    // The copy is no git repository: the ignore file is the repository's concern, not the rules'.
    const run = spawnSync(
      join(ROOT, "node_modules/.bin/biome"),
      [
        "lint",
        "--vcs-enabled=false",
        "--reporter=json",
        "--max-diagnostics=none",
        ...probes.map((p) => p.path),
      ],
      { cwd: root, encoding: "utf8" },
    );
    // The JSON report, then Biome's closing line on the same stream.
    const report = run.stdout.slice(run.stdout.indexOf("{"), run.stdout.lastIndexOf("}") + 1);
    const parsed = JSON.parse(report) as {
      summary: { unchanged: number };
      diagnostics: Diagnostic[];
    };
    // Every probe was linted: none skipped as ignored or unknown.
    expect(parsed.summary.unchanged, run.stderr).toBe(probes.length);
    diagnostics = parsed.diagnostics;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 30_000);

describe("the layer boundaries of biome.json, on probe modules", () => {
  it.each(probes.map((p) => [p.layer, p.specifiers.join(", "), p] as const))(
    "%s: %s",
    (_layer, _specifiers, p) => {
      const found = diagnostics
        .filter((d) => d.location.path.replace(/\\/g, "/").endsWith(p.path))
        .map((d) => `${d.category}: ${d.message}`);
      if (p.expect === undefined) expect(found).toEqual([]);
      else
        expect(found).toEqual(
          p.specifiers.map(() => `lint/style/noRestrictedImports: ${p.expect}`),
        );
    },
  );
});
