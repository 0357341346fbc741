import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Context } from "aws-lambda";
import { logger } from "../../shared/logger";
import type { SweepResult } from "../../shared/services/health-sweep";
import { healthStore, healthSweep } from "../../shared/wiring-health";

/**
 * The scheduled health sweep. One invocation checks accounts until 30 s before its time runs
 * out; then it invokes itself asynchronously with its cursor and totals, so that a sweep of any
 * number of accounts finishes within the period as a chain of invocations, each starting where
 * the last stopped (docs/performance.md has the arithmetic). The last one writes the summary.
 */
interface SweepEvent {
  cursor?: string;
  startedAt?: string;
  totals?: Omit<SweepResult, "cursor">;
}

const SAFETY_MS = 30_000;
const lambda = new LambdaClient({});

export async function handler(event: SweepEvent, context: Context): Promise<void> {
  const startedAt = event.startedAt ?? new Date().toISOString();
  const result = await healthSweep().run({
    ...(event.cursor ? { cursor: event.cursor } : {}),
    deadlineMs: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
  });
  const previous = event.totals;
  const totals: Omit<SweepResult, "cursor"> = {
    checked: result.checked + (previous?.checked ?? 0),
    changed: result.changed + (previous?.changed ?? 0),
    skipped: result.skipped + (previous?.skipped ?? 0),
    states: {
      HEALTHY: result.states.HEALTHY + (previous?.states.HEALTHY ?? 0),
      DEGRADED: result.states.DEGRADED + (previous?.states.DEGRADED ?? 0),
      UNHEALTHY: result.states.UNHEALTHY + (previous?.states.UNHEALTHY ?? 0),
    },
  };
  const oldest = [result.oldestCheck, previous?.oldestCheck]
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  if (oldest) totals.oldestCheck = oldest;
  if (result.cursor) {
    logger.info("sweep continues in a new invocation", { checked: totals.checked });
    await lambda.send(
      new InvokeCommand({
        FunctionName: context.invokedFunctionArn,
        InvocationType: "Event",
        Payload: JSON.stringify({ cursor: result.cursor, startedAt, totals } satisfies SweepEvent),
      }),
    );
    return;
  }
  const finishedAt = new Date().toISOString();
  await healthStore().writeSummary({
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    ...totals,
  });
  logger.info("sweep finished", {
    ...totals.states,
    checked: totals.checked,
    changed: totals.changed,
  });
}
