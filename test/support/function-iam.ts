import { AsyncLocalStorage } from "node:async_hooks";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { inject } from "vitest";
import {
  type LocalFunctionRole,
  localFunctionRoles,
  testTierRefs,
} from "../../tools/local-aws/function-roles";
import {
  LOCAL_REGION,
  OPERATOR_CREDENTIALS,
  type SessionEnv,
} from "../../tools/local-aws/local-stack";

/**
 * Each function's own role, on its DynamoDB calls, in the integration tier, decided by the local
 * AWS (tools/local-aws/iam_enforcement.py), the one evaluator `npm start` uses too.
 *
 * The handlers run in one process; the global setup created each function's role as serverless.ts
 * deploys it (tools/local-aws/function-roles.ts, on any of the tier's tables) and a session of
 * each. A middleware on the functions' DynamoDB client signs every call made while a handler
 * runs as a function (`asFunction`; `api()` does it for every route) with that function's
 * session, so the emulator decides it on that role: an Allow must match the action, the table or
 * its index and `dynamodb:LeadingKeys`, or the call fails with AccessDeniedException, as on AWS.
 */
const current = new AsyncLocalStorage<string>();

/** The functions' sessions (the integration tier's global setup; none in the unit tier, whose
 * handlers talk to a mocked client and run as no one). */
const sessions = (): Record<string, SessionEnv> | undefined => inject("functionSessions");

/** Runs `fn` as the Lambda function `name` would run: its DynamoDB calls under its role. */
export async function asFunction<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const all = sessions();
  if (all && !all[name]) throw new Error(`No function ${name}: no session of its role`);
  return current.run(name, fn);
}

let roles: Promise<LocalFunctionRole[]> | undefined;
async function roleOf(name: string): Promise<LocalFunctionRole> {
  roles ??= localFunctionRoles(testTierRefs());
  const role = (await roles).find((r) => r.function === name);
  if (!role) throw new Error(`No function ${name}: no module functions/<area>/${name}.ts`);
  return role;
}

export type Statement = {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** A function's statements as serverless.ts deploys them, resolved for this tier. */
export async function statementsOf(name: string): Promise<Statement[]> {
  return (await roleOf(name)).policy.Statement as Statement[];
}

async function putPolicy(name: string, statements: unknown[]): Promise<void> {
  const role = await roleOf(name);
  await new IAMClient({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    credentials: OPERATOR_CREDENTIALS,
  }).send(
    new PutRolePolicyCommand({
      RoleName: role.roleName,
      PolicyName: "role",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    }),
  );
}

/**
 * Replaces a function's role policy on the emulator until the returned function is called (tests
 * that take a permission away).
 */
export async function overrideStatements(
  name: string,
  statements: Statement[],
): Promise<() => Promise<void>> {
  await putPolicy(name, statements);
  return async () => putPolicy(name, (await roleOf(name)).policy.Statement);
}

export interface Denial {
  functionName: string;
  /** The emulator's message: the action and the resource IAM refused. */
  message: string;
}

/** Calls the emulator refused so far in this test file, for tests of the check itself. */
export const denials: Denial[] = [];

interface SelectedScheme {
  httpAuthOption: {
    signingProperties?: { config?: { signer(authScheme: unknown): Promise<object> } };
  };
}

interface StackLike {
  addRelativeTo(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: Record<string, unknown>,
    ) => (args: unknown) => Promise<unknown>,
    options: { relation: "after"; toMiddleware: string; name: string; override: boolean },
  ): void;
}

/** Signs the functions' DynamoDB calls (the client the composition roots share) as the function. */
export function enforceFunctionPolicies(client: { middlewareStack: unknown }): void {
  (client.middlewareStack as StackLike).addRelativeTo(
    (next, context) => async (args) => {
      const functionName = current.getStore();
      if (functionName === undefined) return next(args);
      const s = sessions()?.[functionName];
      // Fail closed: never let a function's call go out as the access role.
      if (!s) throw new Error(`No session of ${functionName}'s role`);
      const identity = {
        accessKeyId: s.AWS_ACCESS_KEY_ID,
        secretAccessKey: s.AWS_SECRET_ACCESS_KEY,
        sessionToken: s.AWS_SESSION_TOKEN,
      };
      // The SDK signs with a SigV4 signer its client config makes per request from the client's
      // credentials: this call's config makes one that signs with the function's session.
      const smithy = context.__smithy_context as { selectedHttpAuthScheme?: SelectedScheme };
      const scheme = smithy?.selectedHttpAuthScheme;
      const config = scheme?.httpAuthOption.signingProperties?.config;
      if (!scheme || !config) throw new Error("no signing configuration to replace");
      const asFunctionConfig = Object.assign(Object.create(config), {
        signer: async (authScheme: unknown) =>
          Object.assign(Object.create(await config.signer(authScheme)), {
            credentialProvider: async () => identity,
          }),
      });
      smithy.selectedHttpAuthScheme = {
        ...scheme,
        httpAuthOption: {
          ...scheme.httpAuthOption,
          signingProperties: {
            ...scheme.httpAuthOption.signingProperties,
            config: asFunctionConfig,
          },
        },
      };
      try {
        return await next(args);
      } catch (err) {
        if ((err as Error).name === "AccessDeniedException") {
          denials.push({ functionName, message: (err as Error).message });
          // The handler maps the error to a 500; this line says why in the test's output.
          console.error(`function role: ${functionName}: ${(err as Error).message}`);
        }
        throw err;
      }
    },
    {
      relation: "after",
      toMiddleware: "httpAuthSchemeMiddleware",
      name: "signAsFunction",
      override: true,
    },
  );
}
