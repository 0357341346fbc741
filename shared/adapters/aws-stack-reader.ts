import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import type { StackView } from "../domain/stack-message";
import type { AwsCredentials, StackReader } from "../ports/accounts";
import { classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

/**
 * DescribeStacks through a tenant role's session, in the stack's region. Only the registration
 * function bundles the CloudFormation client.
 */
export class AwsStackReader implements StackReader {
  constructor(private readonly options: { maxAttempts?: number } = {}) {}

  async describe(
    credentials: AwsCredentials,
    stackId: string,
    region: string,
  ): Promise<StackView | undefined> {
    const client = new CloudFormationClient({
      region,
      credentials: sdkCredentials(credentials),
      maxAttempts: this.options.maxAttempts ?? 3,
    });
    try {
      const out = await client.send(new DescribeStacksCommand({ StackName: stackId }));
      const stack = out.Stacks?.[0];
      if (!stack?.StackId || !stack.StackStatus) return undefined;
      return {
        stackId: stack.StackId,
        status: stack.StackStatus,
        parameters: Object.fromEntries(
          (stack.Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]),
        ),
      };
    } catch (err) {
      // CloudFormation says "Stack with id ... does not exist" as a ValidationError.
      if (
        err instanceof Error &&
        err.name === "ValidationError" &&
        /does not exist/.test(err.message)
      )
        return undefined;
      return classifyAwsError(err);
    } finally {
      client.destroy();
    }
  }
}
