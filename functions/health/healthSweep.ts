import type { Context } from "aws-lambda";
import type { Deployment } from "../../infra/functions";
import {
  cursorKey,
  failedInvocations,
  invokeFunction,
  onIndex,
  onTable,
  putEvents,
  tenantRoleAccess,
} from "../../infra/iam";
import { logger } from "../../shared/logger";
import type { SweepLink } from "../../shared/ports/health";
import { healthSweepChain, sweepContinuation } from "../../shared/wiring/health";

/**
 * The schedule starts each period's sweep (SWEEP_PERIOD_MINUTES) and, between starts, resumes the
 * workers of a sweep still running whose lease expired (a lost link): it runs more often than the
 * period. Failed invocations (after 1 retry) go to the queue that raises FailedInvocationsAlarm.
 */
export const deployment = {
  maximumRetryAttempts: 1,
  maximumEventAge: 900,
  destinations: {
    onFailure: { type: "sqs", arn: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } },
  },
  timeout: 900,
  memorySize: 1024,
  environment: {
    SWEEP_PERIOD_MINUTES: "${param:sweepPeriodMinutes, '15'}",
    SWEEP_WORKERS: "${param:sweepWorkers, '4'}",
    SWEEP_ASSUME_ROLE_PER_SECOND: "${param:sweepAssumeRolePerSecond, '200'}",
    SWEEP_BUDGET_SHARDS: "${param:sweepBudgetShards, '8'}",
  },
  events: [
    {
      schedule: {
        rate: "${param:healthSweepRate, 'rate(5 minutes)'}",
        input: {},
        // Off on the local stack (npm start): there `npm run sweep` runs what the schedules run.
        enabled: "${strToBool(${param:schedulesEnabled, 'true'})}",
      },
    },
  ],
  iam: [
    cursorKey,
    failedInvocations,
    tenantRoleAccess,
    // Only the shards of the index's ACCOUNT list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#ACCOUNT#*"]),
    onTable(
      ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
      ["TENANT#*", "HEALTH#*", "SWEEP"],
    ),
    // The run's workers (SWEEP / WORKER#<n>), read together.
    onTable(["dynamodb:Query"], ["SWEEP"]),
    // The AssumeRole budget's time slots (shared/services/rate-budget.ts).
    onTable(["dynamodb:UpdateItem"], ["SWEEPBUDGET#*"]),
    putEvents,
    invokeFunction("healthSweep"),
  ],
} satisfies Deployment;

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
