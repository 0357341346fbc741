/**
 * What SNS does on AWS between the registration topic and the registration function, for the
 * local stack: an HTTP subscription of the emulator's topic receives each notification (a tenant
 * stack's custom-resource request, published by tools/local-aws/cfn_emulation.py) and invokes the
 * registration function in serverless-offline with the SNS event Lambda would get, asynchronously.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvocationType, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { LOCAL_REGION, LOCAL_STAGE, SERVICE_NAME } from "./local-stack";

interface SnsHttpNotification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion?: string;
  Signature?: string;
  SigningCertURL?: string;
  UnsubscribeURL?: string;
  SubscribeURL?: string;
}

/** The event Lambda receives from an SNS subscription, for one notification. */
export function lambdaEventOf(n: SnsHttpNotification, subscriptionArn: string) {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: n.Type,
          MessageId: n.MessageId,
          TopicArn: n.TopicArn,
          Subject: n.Subject ?? null,
          Message: n.Message,
          Timestamp: n.Timestamp,
          SignatureVersion: n.SignatureVersion ?? "1",
          Signature: n.Signature ?? "",
          SigningCertUrl: n.SigningCertURL ?? "",
          UnsubscribeUrl: n.UnsubscribeURL ?? "",
          MessageAttributes: {},
        },
      },
    ],
  };
}

export async function startRegistrationRelay(opts: {
  awsEndpoint: string;
  topicArn: string;
  lambdaPort: number;
  log?: (line: string) => void;
}): Promise<{ server: Server; stop: () => Promise<void> }> {
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const lambda = new LambdaClient({
    endpoint: `http://127.0.0.1:${opts.lambdaPort}`,
    region: LOCAL_REGION,
    credentials,
  });
  const functionName = `${SERVICE_NAME}-${LOCAL_STAGE}-registration`;
  let subscriptionArn = `${opts.topicArn}:relay`;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += String(c);
    });
    req.on("end", () => {
      res.writeHead(200).end();
      let n: SnsHttpNotification;
      try {
        n = JSON.parse(body) as SnsHttpNotification;
      } catch {
        return;
      }
      if (n.Type === "SubscriptionConfirmation" && n.SubscribeURL) {
        void fetch(n.SubscribeURL).catch(() => undefined);
        return;
      }
      if (n.Type !== "Notification") return;
      // SNS has its answer already; the function runs now, as Lambda runs an SNS-triggered
      // function (serverless-offline's own asynchronous invocation proved unreliable here).
      void lambda
        .send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: InvocationType.RequestResponse,
            Payload: new TextEncoder().encode(JSON.stringify(lambdaEventOf(n, subscriptionArn))),
          }),
        )
        .then(
          (out) => {
            if (out.FunctionError) {
              console.error(
                `registration relay: ${functionName} failed on ${n.MessageId}: ${new TextDecoder().decode(out.Payload)}`,
              );
            } else opts.log?.(`registration: delivered ${n.MessageId}`);
          },
          (err: Error) =>
            console.error(`registration relay: could not invoke ${functionName}: ${err.message}`),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const sns = new SNSClient({ endpoint: opts.awsEndpoint, region: LOCAL_REGION, credentials });
  // A restored emulator still has the relays of earlier runs subscribed; SNS on the emulator
  // stops at the first subscriber that does not answer, so they go first.
  const existing = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: opts.topicArn }));
  for (const s of existing.Subscriptions ?? []) {
    if (s.Protocol === "http" && s.SubscriptionArn?.startsWith("arn:"))
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
  }
  const sub = await sns.send(
    new SubscribeCommand({
      TopicArn: opts.topicArn,
      Protocol: "http",
      Endpoint: `http://127.0.0.1:${port}/`,
      ReturnSubscriptionArn: true,
    }),
  );
  subscriptionArn = sub.SubscriptionArn ?? subscriptionArn;
  return {
    server,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
