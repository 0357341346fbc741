import type { SNSEvent } from "aws-lambda";
import { logger } from "../../shared/logger";
import { registrationService } from "../../shared/wiring/accounts";

/**
 * CloudFormation custom resources of tenant stacks, delivered through the registration topic.
 * Never throws: a failed invocation would be retried by SNS and the answer is already sent
 * (or impossible), so errors are logged, never rethrown.
 */
export async function handler(event: SNSEvent): Promise<void> {
  for (const record of event.Records ?? []) {
    try {
      const outcome = await registrationService().handle(record.Sns?.Message ?? "");
      logger.info("custom resource handled", {
        messageId: record.Sns?.MessageId,
        answered: outcome.answered,
        status: outcome.status,
        reason: outcome.reason,
      });
    } catch (err) {
      logger.error("custom resource not answered", {
        messageId: record.Sns?.MessageId,
        error: err as Error,
      });
    }
  }
}
