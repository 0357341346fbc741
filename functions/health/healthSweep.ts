import type { Context } from "aws-lambda";
import { logger } from "../../shared/logger";
import type { SweepLink } from "../../shared/ports/health";
import { healthSweepChain, sweepContinuation } from "../../shared/wiring/health";

/**
 * The scheduled health sweep (shared/services/health-sweep.ts, HealthSweepChain): the schedule
 * starts the period's run, or resumes its crashed workers; each worker is a chain of links of this
 * function, invoked asynchronously.
 */
export async function handler(event: SweepLink, context: Context): Promise<void> {
  // The schedule's event carries neither field; only this function's own links carry both.
  const link: SweepLink =
    typeof event?.runId === "string" && Number.isInteger(event?.worker)
      ? {
          runId: event.runId,
          worker: event.worker as number,
          ...(typeof event.chain === "string" ? { chain: event.chain } : {}),
        }
      : {};
  const result = await healthSweepChain().runLink(link, {
    id: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    continuation: sweepContinuation(context.invokedFunctionArn),
  });
  switch (result.outcome) {
    case "SKIPPED":
      logger.info("nothing to do", { reason: result.reason, ...link });
      return;
    case "STARTED":
      logger.info("sweep started", {
        runId: result.runId,
        workers: result.workers,
        ...(result.capacityRatio === undefined ? {} : { capacityRatio: result.capacityRatio }),
      });
      return;
    case "RESUMED":
      if (result.resumed.length > 0 || result.overrun)
        logger.warn("sweep still running: workers resumed", {
          runId: result.runId,
          resumed: result.resumed,
          overrun: result.overrun,
        });
      return;
    case "CONTINUED":
    case "WORKER_DONE":
      logger.info(
        result.outcome === "CONTINUED" ? "worker continues in a new invocation" : "worker done",
        { runId: result.runId, worker: result.worker, checked: result.totals.checked },
      );
      return;
    case "FINISHED":
      logger.info("sweep finished", {
        ...result.summary.states,
        checked: result.summary.checked,
        changed: result.summary.changed,
      });
  }
}
