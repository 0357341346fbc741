import type { Context } from "aws-lambda";
import { systemActor } from "../../shared/domain/audit";
import { logger } from "../../shared/logger";
import { organizationSync } from "../../shared/wiring/organizations";

/**
 * The scheduled organization sync: re-lists every connected organization, registers new member
 * accounts (verified when their role exists), detaches the ones that left or closed, and
 * announces each change ("Organization Account Changed" on EventBridge).
 */
const SAFETY_MS = 30_000;

export async function handler(_event: unknown, context: Context): Promise<void> {
  const totals = await organizationSync().syncAll(
    Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    (tenantId, err) =>
      logger.warn("organization sync failed", {
        tenantId,
        error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
      }),
    systemActor(context.awsRequestId, "organization-sync"),
  );
  logger.info("organization sync finished", totals);
}
