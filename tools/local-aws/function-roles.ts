/**
 * The functions' own roles on the local AWS, as serverless.ts deploys them.
 *
 * On AWS each function runs as its own execution role, whose policy is the statements its module
 * declares and those its route implies (infra/functions.ts, statementsOf), under
 * /control-plane/access/ when it assumes tenant roles. The local AWS decides Allow as IAM does
 * (tools/local-aws/iam_enforcement.py), so locally each function runs the same way: one role per
 * function with that same policy (its CloudFormation references resolved to the local stack's
 * table, secret and functions), and a session of it in the function's environment
 * (tools/local-aws/offline-function-sessions.cjs hands it to serverless-offline).
 */

import { join } from "node:path";
import {
  assumesTenantRoles,
  type ControlPlaneFunction,
  controlPlaneFunctions,
  type FunctionModule,
  functionFiles,
  PROVIDER_STATEMENTS,
  ROOT,
  statementsOf,
} from "../../infra/functions";
import { ACCESS_ROLE_PATH } from "../../shared/domain/access-principal";
import {
  CONTROL_PLANE_ACCOUNT,
  controlPlaneRoleSession,
  LOCAL_REGION,
  LOCAL_STAGE,
  LOCAL_TABLE,
  SERVICE_NAME,
  type SessionEnv,
} from "./local-stack";

/** What the functions' CloudFormation references stand for on the local stack. */
export interface LocalRefs {
  /** ControlPlaneTable's ARN: the local stack's table (the integration tier's: any table). */
  tableArn?: string;
  cursorKeySecretArn: string;
}

const subVariables = (): Record<string, string> => ({
  "AWS::Partition": "aws",
  "AWS::Region": LOCAL_REGION,
  "AWS::AccountId": CONTROL_PLANE_ACCOUNT,
  "self:service": SERVICE_NAME,
  "sls:stage": LOCAL_STAGE,
});

/** The integration tier's references: any of its tables (one per test file), any secret. */
export const testTierRefs = (): LocalRefs => ({
  tableArn: `arn:aws:dynamodb:${LOCAL_REGION}:${CONTROL_PLANE_ACCOUNT}:table/*`,
  cursorKeySecretArn: `arn:aws:secretsmanager:${LOCAL_REGION}:${CONTROL_PLANE_ACCOUNT}:secret:*`,
});

export const localTableArn = (table = LOCAL_TABLE) =>
  `arn:aws:dynamodb:${LOCAL_REGION}:${CONTROL_PLANE_ACCOUNT}:table/${table}`;

/** A statement's value with its CloudFormation references resolved as on the local stack. */
export function resolveLocal(value: unknown, refs: LocalRefs): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveLocal(v, refs));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && (key === "Ref" || key?.startsWith("Fn::"))) {
    const fail = () => {
      throw new Error(`The local stack cannot resolve ${JSON.stringify(value)}`);
    };
    switch (key) {
      case "Fn::GetAtt": {
        const [logicalId, attribute] = arg as [string, string];
        if (logicalId === "ControlPlaneTable" && attribute === "Arn")
          return refs.tableArn ?? localTableArn();
        // Lambda's destination for failed invocations: no function sends to it itself.
        if (logicalId === "FailedInvocationsQueue" && attribute === "Arn")
          return `arn:aws:sqs:${LOCAL_REGION}:${CONTROL_PLANE_ACCOUNT}:${SERVICE_NAME}-${LOCAL_STAGE}-failed-invocations`;
        return fail();
      }
      case "Ref":
        if (arg === "CursorKeySecret") return refs.cursorKeySecretArn;
        return fail();
      case "Fn::Join": {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((p) => resolveLocal(p, refs)).join(separator);
      }
      case "Fn::Sub":
        return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const v = subVariables()[name];
          if (v === undefined) fail();
          return v as string;
        });
      default:
        return fail();
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveLocal(v, refs)]));
}

export interface LocalFunctionRole {
  function: string;
  roleName: string;
  path: string;
  policy: { Version: "2012-10-17"; Statement: unknown[] };
}

/** The function modules, imported (under tsx, or vitest's global setup: no require of TypeScript). */
export async function importFunctions(): Promise<ControlPlaneFunction[]> {
  const modules = await Promise.all(
    functionFiles(ROOT).map(
      async (file) => [file, (await import(join(ROOT, file))) as Partial<FunctionModule>] as const,
    ),
  );
  return controlPlaneFunctions(Object.fromEntries(modules));
}

/** Each function's role as serverless.ts deploys it, resolved for the local stack. */
export async function localFunctionRoles(
  refs: LocalRefs,
  functions?: readonly ControlPlaneFunction[],
): Promise<LocalFunctionRole[]> {
  return (functions ?? (await importFunctions())).map((fn) => ({
    function: fn.name,
    // IAM role names are at most 64 characters.
    roleName: `${SERVICE_NAME}-${LOCAL_STAGE}-${fn.name}`.slice(0, 64),
    path: assumesTenantRoles(fn) ? ACCESS_ROLE_PATH : "/",
    policy: {
      Version: "2012-10-17",
      Statement: [...PROVIDER_STATEMENTS, ...statementsOf(fn)].map((s) => resolveLocal(s, refs)),
    },
  }));
}

/**
 * The statements of every function's role together, deduplicated: the access role's policy, for
 * code that runs several functions' work in one process (`npm run sweep`, the integration tier).
 */
export async function allFunctionsStatements(refs: LocalRefs): Promise<unknown[]> {
  const seen = new Set<string>();
  return (await localFunctionRoles(refs))
    .flatMap((r) => r.policy.Statement)
    .filter((s) => {
      const key = JSON.stringify(s);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Creates (or updates) each function's role and returns a session of each, by function name:
 * 12 hours, as the functions' environment (AWS_ACCESS_KEY_ID, ...).
 */
export async function functionSessions(
  endpoint: string,
  refs: LocalRefs,
): Promise<Record<string, SessionEnv>> {
  const sessions: Record<string, SessionEnv> = {};
  for (const role of await localFunctionRoles(refs))
    sessions[role.function] = await controlPlaneRoleSession(endpoint, {
      ...role,
      sessionName: role.function,
    });
  return sessions;
}
