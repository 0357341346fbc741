/**
 * `npm run sweep`: what the schedules do in AWS, once, against the running local stack (there is
 * no scheduler locally): the organization sync, then one health sweep. It reads where the stack
 * is from .local/stack.json, written by `npm start`, unless AWS_ENDPOINT_URL and TABLE_NAME are
 * set.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  accessRoleSession,
  CONTROL_PLANE_ACCOUNT,
  createCursorKeySecret,
  emulatorIamOff,
  LOCAL_AWS_ENV,
  LOCAL_TABLE,
  ROOT,
} from "./local-stack";
import { drainJobs, QueuedLinks } from "./queued-jobs";

async function main() {
  const stackFile = join(ROOT, ".local/stack.json");
  let source = "AWS_ENDPOINT_URL";
  if (!process.env.AWS_ENDPOINT_URL) {
    source = ".local/stack.json, written by npm start";
    if (!existsSync(stackFile)) {
      console.error(
        "No local stack found: run `npm start` first (or set AWS_ENDPOINT_URL and TABLE_NAME).",
      );
      process.exit(2);
    }
    process.env.AWS_ENDPOINT_URL = JSON.parse(readFileSync(stackFile, "utf8")).awsEndpoint;
  }
  // A stopped stack would otherwise look like a busy data store after the SDK's retries.
  const endpoint = process.env.AWS_ENDPOINT_URL as string;
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
  } catch (err) {
    const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    console.error(
      `The local stack is not running: nothing answers at ${endpoint} (${why}; from ${source}). Start it in another terminal with: npm start`,
    );
    process.exit(2);
  }
  Object.assign(process.env, {
    ...LOCAL_AWS_ENV,
    // As the functions run: through a session of the control plane's access role.
    ...(await accessRoleSession(process.env.AWS_ENDPOINT_URL as string)),
    TABLE_NAME: process.env.TABLE_NAME ?? LOCAL_TABLE,
    CONTROL_PLANE_ACCOUNT_ID: CONTROL_PLANE_ACCOUNT,
    // The stack's cursor key (npm start created it; this finds it).
    CURSOR_KEY_SECRET_ARN:
      process.env.CURSOR_KEY_SECRET_ARN ?? (await createCursorKeySecret(endpoint)),
    ...(emulatorIamOff() ? { VERIFY_NEGATIVE_PROBE: "false" } : {}),
  });
  const { organizationJobs, organizationSchedule } = await import(
    "../../shared/wiring/organizations"
  );
  // The organization jobs run here, one link after another, instead of in the job function.
  const links = new QueuedLinks();
  const scheduled = await organizationSchedule().schedule({
    id: `sweep-${Date.now()}`,
    deadlineMs: Number.MAX_SAFE_INTEGER,
    launcher: links,
    onFailure: (tenantId, err) =>
      console.error(`Organization sync of ${tenantId} could not start: ${(err as Error).message}`),
  });
  const outcomes = await drainJobs(organizationJobs(), links, 14.5 * 60_000);
  const ended = (outcome: string) => outcomes.filter((o) => o.outcome === outcome);
  const changes = ended("SUCCEEDED").reduce(
    (n, o) => n + ("job" in o ? o.job.progress.registered + o.job.progress.detached : 0),
    0,
  );
  console.log(
    `Organizations: ${ended("SUCCEEDED").length} synced, ${ended("FAILED").length + scheduled.failed} failed, ${changes} accounts registered or detached`,
  );
  const { healthStore, healthSweep } = await import("../../shared/wiring/health");
  const started = Date.now();
  const result = await healthSweep().run({ deadlineMs: Number.MAX_SAFE_INTEGER });
  const { cursor: _done, incomplete: _stopped, ...totals } = result;
  await healthStore().writeSummary({
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    ...totals,
  });
  console.log(
    `Sweep: ${result.checked} accounts checked, ${result.changed} changed state, ${result.skipped} skipped, in ${Date.now() - started} ms`,
  );
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
