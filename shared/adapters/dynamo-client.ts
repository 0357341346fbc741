import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * One document client per container. The endpoint comes from the SDK's own configuration
 * (AWS_ENDPOINT_URL locally, the regional endpoint in AWS); retries are the SDK's standard mode.
 */
export function createDocumentClient(
  client = new DynamoDBClient({ maxAttempts: 3 }),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
