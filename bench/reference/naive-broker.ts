/**
 * The reference point for the broker's cold load: a naive bundle of the STS and DynamoDB
 * clients with middy (the SDK's default builds, default credential chain, no tree-shaking aids).
 * The bench bundles and loads it on the same machine, in the same run, as the real broker.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import middy from "@middy/core";

const sts = new STSClient({});
const ddb = new DynamoDBClient({});

export const handler = middy(async (event: { roleArn: string; key: string }) => {
  await ddb.send(new GetItemCommand({ TableName: "t", Key: { PK: { S: event.key } } }));
  return sts.send(new AssumeRoleCommand({ RoleArn: event.roleArn, RoleSessionName: "s" }));
});
