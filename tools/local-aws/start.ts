/**
 * `npm start`: the control plane running locally on real parts. Starts moto (the local AWS),
 * with the state of the last run (every request to it is recorded in .local/emulator-state.jsonl
 * and replayed at the next start, a request that fails skipped and named;
 * `npm start -- --fresh` starts empty),
 * creates the table, the template bucket (with the tenant template) and the registration topic,
 * stores the bootstrap admin key, serves the API with serverless-offline (with the Lambda relay,
 * tools/local-aws/lambda-relay.ts, in front of its invoke API for the functions' own Lambda calls),
 * prints where everything is, and runs until Ctrl-C.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { functionSessions, localFunctionRoles } from "./function-roles";
import { startLambdaRelay } from "./lambda-relay";
import {
  bootstrapAdminKey,
  CONTROL_PLANE_ACCOUNT,
  createCursorKeySecret,
  createOnboardingResources,
  createTable,
  freePort,
  LOCAL_REGION,
  LOCAL_TEMPLATE_URL,
  localAdminKey,
  type Moto,
  type Offline,
  ROOT,
  type SessionEnv,
  startMoto,
  startOffline,
} from "./local-stack";
import { startRegistrationRelay } from "./registration-relay";

const port = Number(process.env.PORT ?? 3000);
const motoPort = process.env.MOTO_PORT ? Number(process.env.MOTO_PORT) : undefined;
const verbose = process.env.VERBOSE === "1";

/** The emulator's recorded requests; CP_LOCAL_STATE_FILE moves it (the e2e test's own). */
const stateFile = process.env.CP_LOCAL_STATE_FILE ?? join(ROOT, ".local/emulator-state.jsonl");
const REGISTRATION_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${CONTROL_PLANE_ACCOUNT}:cp-registration`;

/**
 * What the functions ran with (a session of each function's own role, function-roles.ts; the
 * cursor key secret), kept beside the state file; serverless-offline reads the sessions from it
 * (offline-function-sessions.js). At a restart the replay recreates those same sessions and
 * secret (same seed, same requests), so serverless-offline can start bundling with them while the
 * emulator replays, instead of after it; they are checked once it has, and a start whose replay
 * did not recreate them starts serverless-offline again with new ones.
 */
const functionsFile = `${stateFile}.functions.json`;
interface FunctionsEnv {
  sessions: Record<string, SessionEnv>;
  cursorKeySecretArn: string;
  /** A digest of the roles' policies the sessions were made with: a change in a module's
   * statements makes new roles' policies and sessions at the next start. */
  policies: string;
}

async function policiesDigest(cursorKeySecretArn: string): Promise<string> {
  const roles = await localFunctionRoles({ cursorKeySecretArn });
  return createHash("sha256").update(JSON.stringify(roles)).digest("hex");
}

async function savedFunctionsEnv(): Promise<FunctionsEnv | undefined> {
  try {
    const saved = JSON.parse(readFileSync(functionsFile, "utf8")) as FunctionsEnv;
    const names = (await localFunctionRoles({ cursorKeySecretArn: "" })).map((r) => r.function);
    return saved.cursorKeySecretArn &&
      names.every((n) => saved.sessions?.[n]?.AWS_ACCESS_KEY_ID) &&
      saved.policies === (await policiesDigest(saved.cursorKeySecretArn))
      ? saved
      : undefined;
  } catch {
    return undefined;
  }
}

function firstSession(env: FunctionsEnv): [string, SessionEnv] {
  const [entry] = Object.entries(env.sessions);
  if (!entry) throw new Error("no function sessions");
  return entry;
}

/** Whether the emulator knows the session as one of the function's role's. */
async function sessionIsLive(
  endpoint: string,
  name: string,
  session: SessionEnv,
): Promise<boolean> {
  const sts = new STSClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: session.AWS_ACCESS_KEY_ID,
      secretAccessKey: session.AWS_SECRET_ACCESS_KEY,
      sessionToken: session.AWS_SESSION_TOKEN,
    },
  });
  const who = await sts.send(new GetCallerIdentityCommand({})).catch(() => undefined);
  return (who?.Arn ?? "").endsWith(`/${name}`);
}

async function main() {
  const fresh = process.argv.includes("--fresh");
  mkdirSync(join(ROOT, ".local"), { recursive: true });
  if (fresh) for (const file of [stateFile, functionsFile]) rmSync(file, { force: true });
  const resumed = existsSync(stateFile);
  if (resumed)
    console.log(
      `Restoring the local AWS from ${stateFile} (npm start -- --fresh starts empty) ...`,
    );
  const endpoint = `http://127.0.0.1:${motoPort ?? (await freePort())}`;
  const lambdaPort = Number(process.env.LAMBDA_PORT ?? port + 2);
  let moto: Moto | undefined;
  let lambdaRelay: Awaited<ReturnType<typeof startLambdaRelay>> | undefined;
  let offline: Offline | undefined;
  let early: Promise<Offline | undefined> | undefined;
  const stopAll = async () => {
    // The relay first: the asynchronous invocations it still runs need offline and the emulator.
    await lambdaRelay?.stop();
    await offline?.stop();
    await (await early)?.stop();
    await moto?.stop();
  };
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log("\nStopping ...");
      void stopAll().then(() => process.exit(0));
    });
  }
  try {
    // The functions' Lambda calls (AWS_ENDPOINT_URL_LAMBDA) run in offline through the relay;
    // the emulator, where their other calls go, cannot run them.
    lambdaRelay = await startLambdaRelay({
      lambdaPort,
      ...(verbose ? { log: (line: string) => console.log(`[lambda] ${line}`) } : {}),
    });
    const relayUrl = lambdaRelay.url;
    const serve = (functionsEnv: FunctionsEnv) => {
      writeFileSync(functionsFile, `${JSON.stringify(functionsEnv)}\n`, { mode: 0o600 });
      return startOffline({
        awsEndpoint: endpoint,
        port,
        lambdaPort,
        env: {
          CP_LOCAL_FUNCTION_SESSIONS: functionsFile,
          CP_LOCAL_TEMPLATE_URL: LOCAL_TEMPLATE_URL,
          CP_LOCAL_REGISTRATION_TOPIC_ARN: REGISTRATION_TOPIC_ARN,
          CP_LOCAL_CURSOR_KEY_SECRET_ARN: functionsEnv.cursorKeySecretArn,
          // Tenant stacks' custom resources answer to the emulator (cfn_emulation.py).
          CP_LOCAL_RESPONSE_ORIGINS: new URL(endpoint).origin,
          AWS_ENDPOINT_URL_LAMBDA: relayUrl,
        },
        ...(verbose ? { log: (line: string) => console.log(`[offline] ${line}`) } : {}),
      });
    };
    const saved = resumed ? await savedFunctionsEnv() : undefined;
    if (saved) {
      console.log("Starting the API (bundling functions with esbuild) while the replay runs ...");
      // A failure here is only a reason to start it again below.
      early = serve(saved).catch(() => undefined);
    }
    moto = await startMoto(
      Number(new URL(endpoint).port),
      stateFile,
      verbose ? (line: string) => console.log(`[aws] ${line}`) : undefined,
    );
    // "replayed N requests", and the ones skipped because they failed (moto-server.py).
    if (moto.replay?.includes(" skipped ")) console.warn(`Warning: ${moto.replay}`);
    else if (resumed && moto.replay) console.log(moto.replay);
    await createTable(moto.endpoint);
    const onboarding = await createOnboardingResources(moto.endpoint);
    const cursorKeySecretArn = await createCursorKeySecret(moto.endpoint);
    const adminKey = localAdminKey();
    await bootstrapAdminKey(moto.endpoint, adminKey);
    if (
      onboarding.templateUrl !== LOCAL_TEMPLATE_URL ||
      onboarding.topicArn !== REGISTRATION_TOPIC_ARN
    )
      throw new Error(`unexpected onboarding resources: ${JSON.stringify(onboarding)}`);
    let functionsEnv: FunctionsEnv | undefined;
    if (saved && early) {
      const reused =
        saved.cursorKeySecretArn === cursorKeySecretArn &&
        // One is enough: the replay recreates all of them or none (the same seeded requests).
        (await sessionIsLive(moto.endpoint, ...firstSession(saved)));
      const started = await early;
      early = undefined;
      if (reused && started) {
        offline = started;
        functionsEnv = saved;
      } else {
        await started?.stop();
        console.log(
          "The replay did not recreate the functions' session: starting the API again ...",
        );
      }
    }
    if (!offline) {
      if (!saved) console.log("Starting the API (bundling functions with esbuild) ...");
      functionsEnv = {
        sessions: await functionSessions(moto.endpoint, { cursorKeySecretArn }),
        cursorKeySecretArn,
        policies: await policiesDigest(cursorKeySecretArn),
      };
      offline = await serve(functionsEnv);
    }
    writeFileSync(functionsFile, `${JSON.stringify(functionsEnv)}\n`, { mode: 0o600 });
    // The registration topic delivers to the registration function, as SNS does on AWS.
    await startRegistrationRelay({
      awsEndpoint: moto.endpoint,
      topicArn: onboarding.topicArn,
      lambdaPort,
      ...(verbose ? { log: (line: string) => console.log(`[relay] ${line}`) } : {}),
    });
    const running = moto;
    offline.process.on("exit", (code) => {
      if (stopping) return;
      console.error(`serverless-offline exited (${code}); stopping.`);
      void Promise.all([lambdaRelay?.stop(), running.stop()]).then(() => process.exit(1));
    });
    if (adminKey.length < 32) console.warn("Warning: ADMIN_API_KEY is shorter than 32 characters.");
    // Where `npm run sweep` finds this stack.
    writeFileSync(
      join(ROOT, ".local/stack.json"),
      `${JSON.stringify({ api: `http://localhost:${port}`, awsEndpoint: moto.endpoint })}\n`,
    );
    console.log(`API: http://localhost:${port}`);
    console.log(`AWS endpoint: ${moto.endpoint}`);
    console.log(`Admin API key: ${adminKey}`);
    console.log("Ready. Try: curl -s http://localhost:%d/v1/health   (Ctrl-C to stop)", port);
  } catch (err) {
    console.error((err as Error).message);
    await stopAll();
    process.exit(1);
  }
}

void main();
