import type { SNSEvent } from "aws-lambda";
import type { Deployment } from "../../infra/functions";
import { auditTenant, onTable, tenantRoleAccess } from "../../infra/iam";
import { logger } from "../../shared/logger";
import { registrationService } from "../../shared/wiring/accounts";

/** Custom resources of tenant stacks (infra/tenant-role.yaml), through the registration topic. */
export const deployment = {
  timeout: 300,
  environment: {
    // A role created seconds ago may take up to ~2 minutes to be assumable.
    VERIFY_RETRY_BUDGET_MS: "150000",
  },
  events: [{ sns: { arn: { Ref: "RegistrationTopic" }, topicName: "registration" } }],
  iam: [
    auditTenant,
    tenantRoleAccess,
    onTable(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
      ],
      ["TENANT#*", "REGTOKEN#*"],
    ),
    // Binds a registration token to the stack whose registration succeeds (a conditional update
    // in the transaction that stores the account). The stack itself is read through the tenant's
    // role (cloudformation:DescribeStacks, allowed by the tenant's template), not by this role.
    onTable(["dynamodb:UpdateItem"], ["REGTOKEN#*"]),
  ],
} satisfies Deployment;

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
