/**
 * `npm start`: the control plane running locally on real parts. Starts moto (the local AWS),
 * with the state of the last run (every request to it is recorded in .local/emulator-state.jsonl
 * and replayed at the next start; `npm start -- --fresh` starts empty),
 * creates the table, the template bucket (with the tenant template) and the registration topic,
 * stores the bootstrap admin key, serves the API with serverless-offline (with the Lambda relay,
 * tools/local-aws/lambda-relay.ts, in front of its invoke API for the functions' own Lambda calls),
 * prints where everything is, and runs until Ctrl-C.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLambdaRelay } from "./lambda-relay";
import {
  accessRoleSession,
  bootstrapAdminKey,
  createCursorKeySecret,
  createOnboardingResources,
  createTable,
  localAdminKey,
  ROOT,
  startMoto,
  startOffline,
} from "./local-stack";
import { startRegistrationRelay } from "./registration-relay";

const port = Number(process.env.PORT ?? 3000);
const motoPort = process.env.MOTO_PORT ? Number(process.env.MOTO_PORT) : undefined;
const verbose = process.env.VERBOSE === "1";

/** The emulator's recorded requests; CP_LOCAL_STATE_FILE moves it (the e2e test's own). */
const stateFile = process.env.CP_LOCAL_STATE_FILE ?? join(ROOT, ".local/emulator-state.jsonl");

async function main() {
  const fresh = process.argv.includes("--fresh");
  mkdirSync(join(ROOT, ".local"), { recursive: true });
  if (fresh) rmSync(stateFile, { force: true });
  const resumed = existsSync(stateFile);
  if (resumed)
    console.log(
      `Restoring the local AWS from ${stateFile} (npm start -- --fresh starts empty) ...`,
    );
  const moto = await startMoto(
    motoPort,
    stateFile,
    verbose ? (line: string) => console.log(`[aws] ${line}`) : undefined,
  );
  const stopAll = async () => {
    // The relay first: the asynchronous invocations it still runs need offline and the emulator.
    await lambdaRelay?.stop();
    await offline?.stop();
    await moto.stop();
  };
  let lambdaRelay: Awaited<ReturnType<typeof startLambdaRelay>> | undefined;
  let offline: Awaited<ReturnType<typeof startOffline>> | undefined;
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
    await createTable(moto.endpoint);
    const onboarding = await createOnboardingResources(moto.endpoint);
    const cursorKeySecretArn = await createCursorKeySecret(moto.endpoint);
    const adminKey = localAdminKey();
    await bootstrapAdminKey(moto.endpoint, adminKey);
    console.log("Starting the API (bundling functions with esbuild) ...");
    const lambdaPort = Number(process.env.LAMBDA_PORT ?? port + 2);
    // The functions' Lambda calls (AWS_ENDPOINT_URL_LAMBDA) run in offline through the relay;
    // the emulator, where their other calls go, cannot run them.
    lambdaRelay = await startLambdaRelay({
      lambdaPort,
      ...(verbose ? { log: (line: string) => console.log(`[lambda] ${line}`) } : {}),
    });
    offline = await startOffline({
      awsEndpoint: moto.endpoint,
      session: await accessRoleSession(moto.endpoint),
      port,
      lambdaPort,
      env: {
        CP_LOCAL_TEMPLATE_URL: onboarding.templateUrl,
        CP_LOCAL_REGISTRATION_TOPIC_ARN: onboarding.topicArn,
        CP_LOCAL_CURSOR_KEY_SECRET_ARN: cursorKeySecretArn,
        // Tenant stacks' custom resources answer to the emulator (cfn_emulation.py).
        CP_LOCAL_RESPONSE_ORIGINS: new URL(moto.endpoint).origin,
        AWS_ENDPOINT_URL_LAMBDA: lambdaRelay.url,
      },
      ...(verbose ? { log: (line: string) => console.log(`[offline] ${line}`) } : {}),
    });
    // The registration topic delivers to the registration function, as SNS does on AWS.
    await startRegistrationRelay({
      awsEndpoint: moto.endpoint,
      topicArn: onboarding.topicArn,
      lambdaPort,
      ...(verbose ? { log: (line: string) => console.log(`[relay] ${line}`) } : {}),
    });
    offline.process.on("exit", (code) => {
      if (stopping) return;
      console.error(`serverless-offline exited (${code}); stopping.`);
      void Promise.all([lambdaRelay?.stop(), moto.stop()]).then(() => process.exit(1));
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
