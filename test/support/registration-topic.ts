import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";
import { LOCAL_REGION, OPERATOR_CREDENTIALS } from "../../tools/local-aws/local-stack";
import { lambdaEventOf } from "../../tools/local-aws/registration-relay";

/**
 * A registration topic on the emulator, as the tenant's stacks reach it: the emulator's
 * CloudFormation publishes each custom resource request to it (tools/local-aws/cfn_emulation.py),
 * and so can anyone (an attacker publishing from another account). An HTTP subscription collects every
 * notification; the test hands each to the registration function as Lambda would (`next`).
 */
export interface RegistrationTopic {
  topicArn: string;
  /** The next notification, as the SNS event the registration function receives. */
  next(timeoutMs?: number): Promise<{ event: SNSEvent; message: Record<string, unknown> }>;
  /** Publishes a message as `accountId` would (a 12-digit key is that account's root). */
  publishAs(accountId: string, message: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function registrationTopic(name: string): Promise<RegistrationTopic> {
  const endpoint = process.env.AWS_ENDPOINT_URL as string;
  // The topic is the operator's, as the stack creates it on AWS.
  const sns = new SNSClient({ endpoint, region: LOCAL_REGION, credentials: OPERATOR_CREDENTIALS });
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn as string;
  const queue: SNSEvent[] = [];
  const waiting: ((e: SNSEvent) => void)[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      res.writeHead(200).end();
      const n = JSON.parse(body);
      if (n.Type === "SubscriptionConfirmation" && n.SubscribeURL) {
        void fetch(n.SubscribeURL).catch(() => undefined);
        return;
      }
      if (n.Type !== "Notification") return;
      const event = lambdaEventOf(n, `${topicArn}:test`) as unknown as SNSEvent;
      const waiter = waiting.shift();
      if (waiter) waiter(event);
      else queue.push(event);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "http",
      Endpoint: `http://127.0.0.1:${port}/`,
    }),
  );
  return {
    topicArn,
    async next(timeoutMs = 10_000) {
      const event =
        queue.shift() ??
        (await new Promise<SNSEvent>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.splice(waiting.indexOf(deliver), 1);
            reject(new Error(`no message on ${name} within ${timeoutMs} ms`));
          }, timeoutMs);
          const deliver = (e: SNSEvent) => {
            clearTimeout(timer);
            resolve(e);
          };
          waiting.push(deliver);
        }));
      return { event, message: JSON.parse(event.Records[0]?.Sns.Message as string) };
    },
    async publishAs(accountId, message) {
      const as = new SNSClient({
        endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: accountId, secretAccessKey: "testing" },
      });
      await as.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(message) }));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
