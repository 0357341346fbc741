import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { SweepContinuation, SweepLink } from "../ports/health";
import type { OrganizationJobLauncher, OrganizationJobLink } from "../ports/organizations";

/**
 * The next link of a chain of work longer than an invocation (a sweep's worker, an organization
 * job): the function, invoked asynchronously with the link as its event.
 */
export class LambdaAsyncInvoke implements SweepContinuation, OrganizationJobLauncher {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async continueWith(next: SweepLink): Promise<void> {
    await this.invoke(next);
  }

  async launch(link: OrganizationJobLink): Promise<void> {
    await this.invoke(link);
  }

  private async invoke(payload: SweepLink | OrganizationJobLink): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: "Event",
        Payload: JSON.stringify(payload),
      }),
    );
  }
}
