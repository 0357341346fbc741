import type { Context } from "aws-lambda";
import type { Deployment } from "../../infra/functions";
import {
  auditTenant,
  failedInvocations,
  invokeFunction,
  onTable,
  putEvents,
  tenantRoleAccess,
} from "../../infra/iam";
import { logger } from "../../shared/logger";
import type { OrganizationJobLink } from "../../shared/ports/organizations";
import { organizationJobLauncher, organizationJobs } from "../../shared/wiring/organizations";

export const deployment = {
  iamRoleStatementsName: "${self:service}-${sls:stage}-${aws:region}-orgJob",
  // A lost link is resumed by the schedule (its lease expires), not retried here.
  maximumRetryAttempts: 0,
  maximumEventAge: 900,
  destinations: {
    onFailure: { type: "sqs", arn: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } },
  },
  timeout: 900,
  environment: {
    ORGANIZATION_JOB_FUNCTION: "${self:service}-${sls:stage}-organizationJob",
    ORGANIZATION_CALLS_PER_SECOND: "${param:organizationCallsPerSecond, '1'}",
  },
  iam: [
    failedInvocations,
    auditTenant,
    tenantRoleAccess,
    // The tenant, its accounts, the connection, the job and its saved state's chunks.
    onTable(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
      ],
      ["TENANT#*"],
    ),
    putEvents,
    invokeFunction("organizationJob"),
  ],
} satisfies Deployment;

/**
 * A link of an organization job's chain (shared/services/organization-job.ts): connect and the
 * schedule invoke it asynchronously, and it invokes itself until the job is done.
 */
export async function handler(event: OrganizationJobLink, context: Context): Promise<void> {
  // Only links carry both fields (connect, the schedule, the job itself); anything else does nothing.
  if (typeof event?.tenantId !== "string" || typeof event?.jobId !== "string") {
    logger.warn("not a job link: ignored");
    return;
  }
  const link: OrganizationJobLink = {
    tenantId: event.tenantId,
    jobId: event.jobId,
    ...(typeof event.chain === "string" ? { chain: event.chain } : {}),
    ...(Number.isInteger(event.seq) ? { seq: event.seq as number } : {}),
  };
  const result = await organizationJobs().runLink(link, {
    id: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    launcher: organizationJobLauncher(),
  });
  const fields = { tenantId: link.tenantId, jobId: link.jobId };
  switch (result.outcome) {
    case "SKIPPED":
    case "LOST":
      logger.info("job link stopped", {
        ...fields,
        outcome: result.outcome,
        reason: result.reason,
      });
      return;
    case "FAILED":
      logger.warn("organization job failed", { ...fields, error: result.job.error });
      return;
    default:
      logger.info(result.outcome === "CONTINUED" ? "job continues" : "organization job done", {
        ...fields,
        phase: result.job.phase,
        ...result.job.progress,
      });
  }
}
