import type { Context } from "aws-lambda";
import { logger } from "../../shared/logger";
import { organizationJobLauncher, organizationSchedule } from "../../shared/wiring/organizations";

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
