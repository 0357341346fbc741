import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  controlPlaneFunctions,
  statementsOf as deployedStatements,
  type FunctionModule,
  ROOT,
} from "../../infra/functions";
import { tableArn, tableIndexArn } from "../../infra/iam";
import { TABLE_KEYS } from "../../shared/adapters/table";

/**
 * Each function's own role, applied to its DynamoDB calls in the integration tier.
 *
 * The emulator answers every DynamoDB call it gets, whatever the caller's policy says. Here a
 * middleware on the functions' DynamoDB client asks the function's role as serverless.ts deploys it
 * (the statements its module declares, and those its route implies) before the call goes
 * out, the way IAM decides on AWS: an Allow must match the action, the resource (the table or its
 * index) and the `dynamodb:LeadingKeys` condition, or the call fails with AccessDeniedException.
 * A handler runs as a function when the test harness names it (`asFunction`; `api()` does it for
 * every route), so every integration test that goes through a handler runs under that role.
 */

export interface Statement {
  Effect: "Allow" | "Deny";
  Action: string[];
  /** `table` and `index` stand for the control plane's table and its GSI1. */
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/** One authorization request, as DynamoDB makes it of IAM for one API call or transaction item. */
export interface DynamoRequest {
  action: string;
  resource: "table" | "index";
  leadingKeys: string[];
}

const current = new AsyncLocalStorage<string>();

/** Runs `fn` as the Lambda function `name` would run: its DynamoDB calls under its role. */
export async function asFunction<T>(name: string, fn: () => Promise<T>): Promise<T> {
  await statementsOf(name);
  return current.run(name, fn);
}

const overrides = new Map<string, Statement[]>();

/** Replaces a function's statements until the returned function is called (tests of the check). */
export function overrideStatements(name: string, statements: Statement[]): () => void {
  overrides.set(name, statements);
  return () => overrides.delete(name);
}

function resolveResource(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(resolveResource);
  // The CloudFormation references of infra/iam.ts.
  const json = JSON.stringify(value);
  if (json === JSON.stringify(tableArn)) return ["table"];
  if (json === JSON.stringify(tableIndexArn)) return ["index"];
  return [json];
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

function normalize(raw: Record<string, unknown>): Statement {
  const condition = raw.Condition as Record<string, Record<string, unknown>> | undefined;
  return {
    Effect: raw.Effect as Statement["Effect"],
    Action: asList(raw.Action),
    Resource: resolveResource(raw.Resource),
    ...(condition
      ? {
          Condition: Object.fromEntries(
            Object.entries(condition).map(([op, keys]) => [
              op,
              Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, asList(v)])),
            ]),
          ),
        }
      : {}),
  };
}

const parsed = new Map<string, Statement[]>();

/**
 * A function's statements as serverless.ts deploys them: from its module
 * (functions/<area>/<name>.ts), through the same derivation (infra/functions.ts).
 */
export async function statementsOf(name: string): Promise<Statement[]> {
  const override = overrides.get(name);
  if (override) return override;
  const cached = parsed.get(name);
  if (cached) return cached;
  const area = readdirSync(join(ROOT, "functions")).find((a) =>
    existsSync(join(ROOT, "functions", a, `${name}.ts`)),
  );
  if (!area) throw new Error(`No function ${name}: no module functions/<area>/${name}.ts`);
  const file = `functions/${area}/${name}.ts`;
  const mod = (await import(join(ROOT, file))) as Partial<FunctionModule>;
  const [fn] = controlPlaneFunctions({ [file]: mod });
  const statements = deployedStatements(fn as NonNullable<typeof fn>).map((raw) =>
    normalize(raw as unknown as Record<string, unknown>),
  );
  parsed.set(name, statements);
  return statements;
}

/** The statements of a function `asFunction` has run (loaded by then). */
function loadedStatements(name: string): Statement[] {
  const statements = overrides.get(name) ?? parsed.get(name);
  if (!statements) throw new Error(`The statements of ${name} are not loaded`);
  return statements;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );

const OPERATORS: Record<string, (value: string, pattern: string) => boolean> = {
  "ForAllValues:StringLike": (value, pattern) => glob(pattern).test(value),
  "ForAllValues:StringEquals": (value, pattern) => value === pattern,
};

function conditionHolds(condition: Statement["Condition"], request: DynamoRequest): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`The policy check does not know the operator ${operator}`);
    for (const [key, patterns] of Object.entries(keys)) {
      if (key !== "dynamodb:LeadingKeys") throw new Error(`Unknown condition key ${key}`);
      // ForAllValues over the request's values: true when the request has none (as in IAM).
      if (!request.leadingKeys.every((v) => patterns.some((p) => test(v, p)))) return false;
    }
  }
  return true;
}

function matches(statement: Statement, request: DynamoRequest): boolean {
  return (
    statement.Action.some((a) => glob(a).test(`dynamodb:${request.action}`)) &&
    statement.Resource.some((r) => r === request.resource || r === '"*"') &&
    conditionHolds(statement.Condition, request)
  );
}

/** IAM's decision: an explicit Deny wins, then any Allow; otherwise the implicit deny. */
export function isAllowed(statements: Statement[], request: DynamoRequest): boolean {
  if (statements.some((s) => s.Effect === "Deny" && matches(s, request))) return false;
  return statements.some((s) => s.Effect === "Allow" && matches(s, request));
}

type Attr = string | { S?: string } | undefined;
const str = (v: unknown): string => {
  const a = v as Attr;
  return typeof a === "string" ? a : String(a?.S);
};
const pkOf = (key: Record<string, unknown> | undefined) => str(key?.[TABLE_KEYS.partitionKey]);

function queryPartition(input: Record<string, unknown>, keyName: string): string {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const m of String(input.KeyConditionExpression).matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const name = names[m[1] as string] ?? m[1];
    if (name === keyName) return str(values[m[2] as string]);
  }
  throw new Error(`No partition key in ${String(input.KeyConditionExpression)}`);
}

/** The authorization requests DynamoDB makes for one call (one per item of a transaction). */
export function dynamoRequests(command: string, input: Record<string, unknown>): DynamoRequest[] {
  const action = command.replace(/Command$/, "");
  switch (action) {
    case "GetItem":
    case "DeleteItem":
    case "UpdateItem":
      return [{ action, resource: "table", leadingKeys: [pkOf(input.Key as never)] }];
    case "PutItem":
      return [{ action, resource: "table", leadingKeys: [pkOf(input.Item as never)] }];
    case "Query":
      return input.IndexName === undefined
        ? [{ action, resource: "table", leadingKeys: [queryPartition(input, "PK")] }]
        : [
            {
              action,
              resource: "index",
              leadingKeys: [queryPartition(input, TABLE_KEYS.gsi1.partitionKey)],
            },
          ];
    case "DescribeTable":
      return [{ action, resource: "table", leadingKeys: [] }];
    case "Scan":
      return [{ action, resource: input.IndexName ? "index" : "table", leadingKeys: [] }];
    case "BatchGetItem": {
      const requests = Object.values(input.RequestItems as Record<string, { Keys: never[] }>);
      return [
        {
          action,
          resource: "table",
          leadingKeys: requests.flatMap((r) => r.Keys.map((k) => pkOf(k))),
        },
      ];
    }
    case "BatchWriteItem": {
      const requests = Object.values(input.RequestItems as Record<string, never[]>).flat();
      return [
        {
          action,
          resource: "table",
          leadingKeys: requests.map(
            (r: { PutRequest?: { Item: never }; DeleteRequest?: { Key: never } }) =>
              pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key),
          ),
        },
      ];
    }
    case "TransactWriteItems":
    case "TransactGetItems":
      return (input.TransactItems as Record<string, Record<string, unknown>>[]).map((item) => {
        const [kind, body] = Object.entries(item)[0] as [string, Record<string, unknown>];
        const itemAction =
          kind === "ConditionCheck"
            ? "ConditionCheckItem"
            : kind === "Get"
              ? "GetItem"
              : `${kind}Item`;
        const key = (body.Key ?? body.Item) as never;
        return { action: itemAction, resource: "table" as const, leadingKeys: [pkOf(key)] };
      });
    default:
      throw new Error(`The policy check does not know DynamoDB's ${command}`);
  }
}

export interface Denial {
  functionName: string;
  request: DynamoRequest;
}

/** Calls refused so far in this test file, for tests of the check itself. */
export const denials: Denial[] = [];

interface StackLike {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: "build"; name: string; override: boolean },
  ): void;
}

/** Installs the check on the functions' DynamoDB client (the one the composition roots share). */
export function enforceFunctionPolicies(client: { middlewareStack: unknown }): void {
  (client.middlewareStack as StackLike).add(
    (next, context) => async (args) => {
      const functionName = current.getStore();
      if (functionName !== undefined) {
        const statements = loadedStatements(functionName);
        for (const request of dynamoRequests(
          String(context.commandName),
          args.input as Record<string, unknown>,
        )) {
          if (!isAllowed(statements, request)) {
            denials.push({ functionName, request });
            // The handler maps the error to a 500; this line says why in the test's output.
            console.error(
              `function policy check: ${functionName} denied ${JSON.stringify(request)}`,
            );
            throw Object.assign(
              new Error(
                `${functionName} is not authorized to perform: dynamodb:${request.action} on the ${request.resource} with leading keys [${request.leadingKeys.join(", ")}] because no identity-based policy allows it`,
              ),
              {
                name: "AccessDeniedException",
                $fault: "client",
                $metadata: { httpStatusCode: 400 },
              },
            );
          }
        }
      }
      return next(args);
    },
    { step: "build", name: "functionPolicyCheck", override: true },
  );
}
