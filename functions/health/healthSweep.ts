import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Context } from "aws-lambda";
import { logger } from "../../shared/logger";
import type { SweepResult } from "../../shared/services/health-sweep";
import { healthStore, healthSweep } from "../../shared/wiring/health";

/**
 * The scheduled health sweep. One invocation checks accounts until 30 s before its time runs
 * out; then it invokes itself asynchronously with its cursor and totals, so that a sweep of any
 * number of accounts finishes within the period as a chain of invocations, each starting where
 * the last stopped (docs/performance.md has the arithmetic). The last one writes the summary.
 * One sweep at a time: a lease in the table, renewed by each invocation of the chain, makes a
 * scheduled start that finds a sweep still running skip its turn (otherwise two chains would
 * check every account twice, at twice the STS rate).
 */
interface SweepEvent {
  cursor?: string;
  /** The sweep's identity (its first invocation's request id), carried along the chain. */
  sweepId?: string;
  startedAt?: string;
  totals?: Omit<SweepResult, "cursor">;
}

const SAFETY_MS = 30_000;
const lambda = new LambdaClient({});

export async function handler(event: SweepEvent, context: Context): Promise<void> {
  const startedAt = event.startedAt ?? new Date().toISOString();
  const sweepId = event.sweepId ?? context.awsRequestId;
  const now = Date.now();
  // The lease outlives this invocation by a minute, so that the next link of the chain renews it.
  const leaseUntil = now + context.getRemainingTimeInMillis() + 60_000;
  if (!(await healthStore().acquireLease(sweepId, now, leaseUntil))) {
    logger.warn("a sweep is still running: this one skips its turn", { sweepId });
    return;
  }
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
        Payload: JSON.stringify({
          cursor: result.cursor,
          sweepId,
          startedAt,
          totals,
        } satisfies SweepEvent),
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
  await healthStore().releaseLease(sweepId);
  logger.info("sweep finished", {
    ...totals.states,
    checked: totals.checked,
    changed: totals.changed,
  });
}
