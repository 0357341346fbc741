import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { LOCAL_REGION, OPERATOR_CREDENTIALS } from "../../tools/local-aws/local-stack";

/** The test's rule and queue are the operator's, not the functions' (whose roles may not). */
const client = <T>(C: new (c: object) => T) =>
  new C({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: LOCAL_REGION,
    credentials: OPERATOR_CREDENTIALS,
  });

/**
 * Catches the control plane's events on the emulator's default bus: an EventBridge rule for one
 * detail-type and tenant, targeting an SQS queue. `drain()` returns the details received so far.
 */
export async function captureEvents(detailType: string, tenantId: string) {
  const name = `${detailType.replaceAll(" ", "-").toLowerCase()}-${Date.now()}-${process.pid}`;
  const sqs = client(SQSClient);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  const queueArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    )
  ).Attributes?.QueueArn;
  const eb = client(EventBridgeClient);
  await eb.send(
    new PutRuleCommand({
      Name: name,
      EventPattern: JSON.stringify({
        "detail-type": [detailType],
        detail: { tenantId: [tenantId] },
      }),
    }),
  );
  await eb.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "queue", Arn: queueArn }] }));
  return {
    async drain(): Promise<Record<string, unknown>[]> {
      const out: Record<string, unknown>[] = [];
      for (;;) {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        if (!r.Messages?.length) return out;
        for (const m of r.Messages) {
          const event = JSON.parse(m.Body ?? "{}");
          if (event["detail-type"] !== detailType) throw new Error(`unexpected ${m.Body}`);
          out.push(event.detail);
        }
      }
    },
  };
}
