import type { Context } from "aws-lambda";
import type { Deployment } from "../../infra/functions";
import { cursorKey, failedInvocations, invokeFunction, onIndex, onTable } from "../../infra/iam";
import { logger } from "../../shared/logger";
import { organizationJobLauncher, organizationSchedule } from "../../shared/wiring/organizations";

/**
 * The schedule runs more often than the period, so that a lost chain waits minutes, not an hour.
 * Failed invocations (after 1 retry) go to the queue that raises FailedInvocationsAlarm.
 */
export const deployment = {
  maximumRetryAttempts: 1,
  maximumEventAge: 3600,
  destinations: {
    onFailure: { type: "sqs", arn: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } },
  },
  timeout: 900,
  environment: {
    ORGANIZATION_JOB_FUNCTION: "${self:service}-${sls:stage}-organizationJob",
    ORGANIZATION_SYNC_PERIOD_MINUTES: "${param:organizationSyncPeriodMinutes, '60'}",
  },
  events: [
    {
      schedule: {
        rate: "${param:organizationSyncRate, 'rate(5 minutes)'}",
        input: {},
        // Off on the local stack (npm start): there `npm run sweep` runs what the schedules run.
        enabled: "${strToBool(${param:schedulesEnabled, 'true'})}",
      },
    },
  ],
  iam: [
    cursorKey,
    failedInvocations,
    // Only the shards of the index's ORG list (GSI1PK, shared/adapters/sharded-index.ts).
    onIndex(["dynamodb:Query"], ["INDEX#ORG#*"]),
    // Each organization's latest job (TENANT#<id> / ORGJOB): read, and replaced by a new one
    // while the connection (ORG) is there and not being disconnected.
    onTable(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["TENANT#*"]),
    invokeFunction("organizationJob"),
  ],
} satisfies Deployment;

/**
 * The organization sync's schedule: for every connected organization, starts its sync job once a
 * period (ORGANIZATION_SYNC_PERIOD_MINUTES) and resumes a job whose chain was lost. The jobs run
 * in the job function (organizationJob.ts).
 */
const SAFETY_MS = 30_000;

export async function handler(_event: unknown, context: Context): Promise<void> {
  const totals = await organizationSchedule().schedule({
    id: context.awsRequestId,
    deadlineMs: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    launcher: organizationJobLauncher(),
    onFailure: (tenantId, err) =>
      logger.warn("organization sync could not start", {
        tenantId,
        error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
      }),
  });
  logger.info("organization sync scheduled", { ...totals });
}
