import { LambdaClient } from "@aws-sdk/client-lambda";
import type { Context } from "aws-lambda";
import { LambdaSweepContinuation } from "../../shared/adapters/lambda-sweep-continuation";
import { logger } from "../../shared/logger";
import type { SweepLink } from "../../shared/ports";
import { healthSweepChain } from "../../shared/wiring/health";

/**
 * The scheduled health sweep: one link of the chain (shared/services/health-sweep.ts,
 * HealthSweepChain); the next link is this function again, invoked asynchronously.
 */
const lambda = new LambdaClient({});

export async function handler(event: SweepLink, context: Context): Promise<void> {
  const result = await healthSweepChain().runLink(event, {
    id: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    continuation: new LambdaSweepContinuation(lambda, context.invokedFunctionArn),
  });
  switch (result.outcome) {
    case "SKIPPED":
      logger.warn("a sweep is still running: this one skips its turn");
      return;
    case "CONTINUED":
      logger.info("sweep continues in a new invocation", { checked: result.totals.checked });
      return;
    case "FINISHED":
      logger.info("sweep finished", {
        ...result.summary.states,
        checked: result.summary.checked,
        changed: result.summary.changed,
      });
  }
}
