import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The table of IAM actions (tools/local-aws/iam-actions.json): every AWS call the project makes,
 * with the action(s) IAM authorizes it as and the resource it evaluates each on. A call the table
 * does not list fails here until its row is added: an SDK command constructed (`new XCommand(`)
 * or a paginator called (`paginateX(`) in the project's code, tests, tools and benchmarks, and an
 * AWS CLI command run by a test or shown in a document.
 */
const ROOT = join(__dirname, "../../../..");
const SCANNED = ["shared", "functions", "tools", "ops", "test", "bench", "client/src", "infra"];

interface Entry {
  action: string;
  resource: string | string[];
  when?: string;
  unless?: string;
  each?: string;
  defaults?: Record<string, string>;
  keys?: Record<string, string>;
  note?: string;
}
interface Table {
  placeholders: Record<string, string>;
  services: Record<string, { sdk: string[]; operations: Record<string, Entry[]> }>;
  libDynamodb: Record<string, string>;
  cli: Record<string, string[]>;
}
const table = JSON.parse(
  readFileSync(join(ROOT, "tools/local-aws/iam-actions.json"), "utf8"),
) as Table;

const serviceOfPackage = new Map(
  Object.entries(table.services).flatMap(([service, s]) => s.sdk.map((p) => [p, service])),
);
const listed = (service: string, operation: string) =>
  Object.hasOwn(table.services[service]?.operations ?? {}, operation);

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules" || e.name.startsWith(".")) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** [package, operation, file] for each SDK command or paginator the file's code calls. */
function sdkCalls(file: string, src: string): [string, string, string][] {
  const calls: [string, string, string][] = [];
  const imports = [
    ...src.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))"/g,
    ),
    ...src.matchAll(
      /const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*"(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))"\s*\)/g,
    ),
  ];
  for (const [, names = "", pkg = ""] of imports)
    for (const spec of names.split(",").map((s) => s.trim().replace(/^type\s+/, ""))) {
      if (!spec) continue;
      const [name = "", alias] = spec.split(/\s+as\s+|\s*:\s*/);
      const local = alias ?? name;
      if (/Command$/.test(name) && new RegExp(`new\\s+${local}\\s*\\(`).test(src))
        calls.push([pkg, name.replace(/Command$/, ""), file]);
      else if (/^paginate[A-Z]/.test(name) && new RegExp(`\\b${local}\\s*\\(`).test(src))
        calls.push([pkg, name.replace(/^paginate/, ""), file]);
    }
  return calls;
}

/** [service prefix, operation, where] for each SDK call: lib-dynamodb's commands as DynamoDB's. */
function projectSdkCalls(): [string, string, string][] {
  const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  return files.flatMap((file) =>
    sdkCalls(file.slice(ROOT.length + 1), readFileSync(file, "utf8")).map(
      ([pkg, op, where]): [string, string, string] => [
        serviceOfPackage.get(pkg) ?? pkg,
        pkg === "@aws-sdk/lib-dynamodb" ? (table.libDynamodb[op] ?? `lib-dynamodb ${op}`) : op,
        where,
      ],
    ),
  );
}

/** "service command" for each AWS CLI command a test runs or a document shows. */
function cliCalls(): [string, string][] {
  const calls: [string, string][] = [];
  for (const file of SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    const src = readFileSync(file, "utf8");
    if (!src.includes(".venv/bin/aws")) continue;
    for (const [, service, command] of src.matchAll(/\[\s*"([a-z0-9-]+)",\s*"([a-z0-9-]+)"/g))
      if (Object.hasOwn(table.services, service as string) || service === "s3")
        calls.push([`${service} ${command}`, file.slice(ROOT.length + 1)]);
  }
  const docs = [
    "README.md",
    "CONTRIBUTING.md",
    ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`),
  ];
  for (const doc of docs.filter((d) => d.endsWith(".md"))) {
    const src = readFileSync(join(ROOT, doc), "utf8");
    for (const [, service, command] of src.matchAll(
      /\.venv\/bin\/aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)/g,
    ))
      calls.push([`${service} ${command}`, doc]);
  }
  return calls;
}

const read = new Map<string, string>();
const cached = (path: string): string => {
  if (!read.has(path)) read.set(path, readFileSync(path, "utf8"));
  return read.get(path) as string;
};

/** The members of an SDK command's input, read from the client's type declarations. */
function inputMembers(pkg: string, operation: string): Set<string> | undefined {
  const types = join(ROOT, "node_modules", pkg, "dist-types");
  const command = join(types, "commands", `${operation}Command.d.ts`);
  if (!existsSync(command)) return undefined;
  const src = readFileSync(command, "utf8");
  // An operation without input members (DescribeOrganization) declares an empty interface.
  if (new RegExp(`export interface ${operation}CommandInput \\{\\s*\\}`).test(src))
    return new Set();
  const imported = [...src.matchAll(/import type \{([^}]*)\} from "\.\.\/models\/models_\d+"/g)]
    .flatMap(([, names = ""]) => names.split(",").map((n) => n.trim()))
    .filter(Boolean);
  const inputLines = src
    .split("\n")
    .filter((l) => l.includes(`${operation}CommandInput`))
    .join("\n");
  const input = imported.find((n) => new RegExp(`\\b${n}\\b`).test(inputLines));
  if (!input) return undefined;
  for (const model of readdirSync(join(types, "models"))) {
    const text = cached(join(types, "models", model));
    const start = text.indexOf(`export interface ${input} {`);
    if (start < 0) continue;
    const body = text.slice(start, text.indexOf("\n}", start));
    return new Set([...body.matchAll(/^ {4}(\w+)\??:/gm)].map(([, m]) => m as string));
  }
  return undefined;
}

const operations = Object.entries(table.services).flatMap(([service, s]) =>
  Object.entries(s.operations).map(([operation, entries]) => ({
    service,
    operation,
    entries,
    sdk: s.sdk[0] as string,
  })),
);

describe("the IAM action table (tools/local-aws/iam-actions.json)", () => {
  const sdk = projectSdkCalls();

  it("lists every SDK command and paginator the project calls", () => {
    // The scan itself: it finds the calls of the adapters and of the tests' support code.
    expect(sdk.map(([s, op]) => `${s} ${op}`)).toEqual(
      expect.arrayContaining([
        "sts AssumeRole",
        "dynamodb TransactWriteItems",
        "dynamodb Query",
        "organizations ListAccounts",
        "iam DetachRolePolicy",
      ]),
    );
    const missing = sdk
      .filter(([service, op]) => !listed(service, op))
      .map(([service, op, where]) => `${service} ${op} (${where})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it("lists every AWS CLI command a test runs or a document shows", () => {
    const cli = cliCalls();
    expect(cli.map(([c]) => c)).toEqual(
      expect.arrayContaining(["sts get-caller-identity", "s3 ls", "s3 mb"]),
    );
    const missing = cli
      .filter(([c]) => !Object.hasOwn(table.cli, c))
      .map(([c, w]) => `${c} (${w})`);
    expect([...new Set(missing)]).toEqual([]);
    for (const [command, ops] of Object.entries(table.cli)) {
      if (command === "about") continue;
      for (const op of ops) {
        const [service = "", operation = ""] = op.split(" ");
        expect(listed(service, operation), `${command} → ${op}`).toBe(true);
      }
    }
  });

  it("maps lib-dynamodb's commands to DynamoDB operations it lists", () => {
    for (const [command, op] of Object.entries(table.libDynamodb)) {
      if (command === "about") continue;
      expect(
        existsSync(
          join(
            ROOT,
            "node_modules/@aws-sdk/lib-dynamodb/dist-types/commands",
            `${command}Command.d.ts`,
          ),
        ),
        command,
      ).toBe(true);
      expect(listed("dynamodb", op), `${command} → ${op}`).toBe(true);
    }
  });

  it.each(operations)("$service $operation: real operation, well-formed entries", (row) => {
    const members = inputMembers(row.sdk, row.operation);
    expect(members, `${row.sdk} has no ${row.operation}Command`).toBeDefined();
    expect(row.entries.length).toBeGreaterThan(0);
    for (const entry of row.entries) {
      expect(entry.action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
      const resources = Array.isArray(entry.resource) ? entry.resource : [entry.resource];
      for (const resource of resources) {
        expect(
          resource === "*" || resource.startsWith("arn:") || /^\$\{\w+\}$/.test(resource),
        ).toBe(true);
        if (entry.each) continue; // an item's members fill it: the item's shape is not the request's
        for (const [, name = ""] of resource.matchAll(/\$\{(\w+)\}/g))
          expect(
            Object.hasOwn(table.placeholders, name) || members?.has(name),
            `${row.operation}: \${${name}} is neither a request member nor a placeholder`,
          ).toBe(true);
      }
      // when / unless name the request's members, or the item's with each (whose list or map is
      // the request's).
      const own = entry.each ? [entry.each.split(/[.[{]/)[0]] : [entry.when, entry.unless];
      for (const member of own)
        if (member) expect(members?.has(member), `${row.operation}: ${member}`).toBe(true);
    }
    // The operation's own action, or the actions of its items: each entry names a real service.
    expect(row.entries.some((e) => e.action.startsWith(`${row.service}:`))).toBe(true);
  });

  it("names DynamoDB's transaction items as IAM authorizes them: one item action each", () => {
    const transact = table.services.dynamodb?.operations.TransactWriteItems ?? [];
    expect(transact.map((e) => [e.action, e.each])).toEqual([
      ["dynamodb:PutItem", "TransactItems[].Put"],
      ["dynamodb:UpdateItem", "TransactItems[].Update"],
      ["dynamodb:DeleteItem", "TransactItems[].Delete"],
      ["dynamodb:ConditionCheckItem", "TransactItems[].ConditionCheck"],
    ]);
  });

  it("finds a call in a module: imported commands and paginators, with aliases", () => {
    const src = [
      'import { GetItemCommand as Get, paginateQuery, type QueryCommandOutput } from "@aws-sdk/client-dynamodb";',
      'import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";',
      "await ddb.send(new Get({}));",
      "for await (const p of paginateQuery({ client }, {})) p;",
      "// AssumeRoleCommand is imported, never constructed",
    ].join("\n");
    expect(sdkCalls("m.ts", src)).toEqual([
      ["@aws-sdk/client-dynamodb", "GetItem", "m.ts"],
      ["@aws-sdk/client-dynamodb", "Query", "m.ts"],
    ]);
  });
});
