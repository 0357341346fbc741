import type { TestProject } from "vitest/node";
import { functionSessions, testTierRefs } from "../../tools/local-aws/function-roles";
import {
  accessRoleSession,
  createCursorKeySecret,
  createTable,
  type Moto,
  type SessionEnv,
  startMoto,
} from "../../tools/local-aws/local-stack";

/** One moto server for the whole run; each test file gets its own table (see worker-setup). */
let moto: Moto | undefined;

export async function setup(project: TestProject) {
  moto = await startMoto();
  await createTable(moto.endpoint, "cp-test");
  project.provide("motoEndpoint", moto.endpoint);
  project.provide("cursorKeySecretArn", await createCursorKeySecret(moto.endpoint));
  project.provide("accessSession", await accessRoleSession(moto.endpoint));
  // Each function's own role, on the tier's tables: the handlers' DynamoDB calls are signed
  // with the session of the function they run as (test/support/function-iam.ts).
  project.provide("functionSessions", await functionSessions(moto.endpoint, testTierRefs()));
}

export async function teardown() {
  await moto?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
    /** The emulator's secret that seals list cursors (CURSOR_KEY_SECRET_ARN). */
    cursorKeySecretArn: string;
    /** The control plane's access role session, as the functions run on the local stack. */
    accessSession: SessionEnv;
    /** A session of each function's own role, by function name. */
    functionSessions: Record<string, SessionEnv>;
  }
}
