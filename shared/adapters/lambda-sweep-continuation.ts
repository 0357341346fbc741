import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { SweepContinuation, SweepLink } from "../ports";

/** The next link of a sweep's chain: the function invokes itself, asynchronously, with the link. */
export class LambdaSweepContinuation implements SweepContinuation {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionArn: string,
  ) {}

  async continueWith(next: SweepLink): Promise<void> {
    await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionArn,
        InvocationType: "Event",
        Payload: JSON.stringify(next),
      }),
    );
  }
}
