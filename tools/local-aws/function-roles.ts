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
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
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

const ROOT_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

/**
 * Creates (or updates) each function's role and returns a session of each, by function name:
 * 12 hours, as the functions' environment (AWS_ACCESS_KEY_ID, ...).
 */
export async function functionSessions(
  endpoint: string,
  refs: LocalRefs,
): Promise<Record<string, SessionEnv>> {
  const iam = new IAMClient({ endpoint, region: LOCAL_REGION, credentials: ROOT_CREDENTIALS });
  const sts = new STSClient({ endpoint, region: LOCAL_REGION, credentials: ROOT_CREDENTIALS });
  const sessions: Record<string, SessionEnv> = {};
  for (const role of await localFunctionRoles(refs)) {
    await iam
      .send(
        new CreateRoleCommand({
          RoleName: role.roleName,
          Path: role.path,
          MaxSessionDuration: 43_200,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:root` },
                Action: "sts:AssumeRole",
              },
            ],
          }),
        }),
      )
      .catch((err: Error) => {
        if (err.name !== "EntityAlreadyExists" && err.name !== "EntityAlreadyExistsException")
          throw err;
      });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: role.roleName,
        PolicyName: "function",
        PolicyDocument: JSON.stringify(role.policy),
      }),
    );
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role${role.path}${role.roleName}`,
        RoleSessionName: role.function,
        DurationSeconds: 43_200,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new Error(`The emulator returned no credentials for ${role.roleName}`);
    sessions[role.function] = {
      AWS_ACCESS_KEY_ID: c.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_SESSION_TOKEN: c.SessionToken,
    };
  }
  return sessions;
}
