import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { OrganizationJobLauncher, OrganizationJobLink } from "../ports";

/** A link of an organization job: the job function, invoked asynchronously with the link. */
export class LambdaOrganizationJobLauncher implements OrganizationJobLauncher {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async launch(link: OrganizationJobLink): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: "Event",
        Payload: JSON.stringify(link),
      }),
    );
  }
}
