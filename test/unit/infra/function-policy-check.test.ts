import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/local-aws/local-stack";
import {
  type DynamoRequest,
  dynamoRequests,
  isAllowed,
  type Statement,
  statementsOf,
} from "../../support/function-iam";

/**
 * The check that runs every integration test's DynamoDB calls under the calling function's role
 * (test/support/function-iam.ts) must decide as IAM does, or those tests prove nothing.
 */
const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/iam/function-policy-cases.json"), "utf8"),
) as {
  statements: Record<string, Statement>;
  cases: { name: string; policy: string[]; request: DynamoRequest; allowed: boolean }[];
};

describe("the function policy check", () => {
  it.each(fixture.cases)("$name → allowed: $allowed", ({ policy, request, allowed }) => {
    const statements = policy.map((name) => fixture.statements[name] as Statement);
    expect(isAllowed(statements, request)).toBe(allowed);
  });

  it.each([
    [
      "GetItemCommand",
      { TableName: "t", Key: { PK: { S: "APIKEY#h" }, SK: { S: "APIKEY" } } },
      [{ action: "GetItem", resource: "table", leadingKeys: ["APIKEY#h"] }],
    ],
    [
      "QueryCommand",
      {
        TableName: "t",
        IndexName: "GSI1",
        KeyConditionExpression: "#pk = :pk AND #sk > :after",
        ExpressionAttributeNames: { "#pk": "GSI1PK", "#sk": "GSI1SK" },
        ExpressionAttributeValues: { ":pk": { S: "APIKEY" }, ":after": { S: "k" } },
      },
      [{ action: "Query", resource: "index", leadingKeys: ["APIKEY"] }],
    ],
    [
      "QueryCommand",
      {
        TableName: "t",
        KeyConditionExpression: "PK = :p AND begins_with(SK, :s)",
        ExpressionAttributeValues: { ":p": "TENANT#t1", ":s": "ACCOUNT#" },
      },
      [{ action: "Query", resource: "table", leadingKeys: ["TENANT#t1"] }],
    ],
    [
      "TransactWriteItemsCommand",
      {
        TransactItems: [
          { Put: { TableName: "t", Item: { PK: "TENANT#t1", SK: "TENANT" } } },
          { ConditionCheck: { TableName: "t", Key: { PK: "EXTID#e", SK: "EXTID" } } },
          { Delete: { TableName: "t", Key: { PK: "APIKEY#h", SK: "APIKEY" } } },
        ],
      },
      [
        { action: "PutItem", resource: "table", leadingKeys: ["TENANT#t1"] },
        { action: "ConditionCheckItem", resource: "table", leadingKeys: ["EXTID#e"] },
        { action: "DeleteItem", resource: "table", leadingKeys: ["APIKEY#h"] },
      ],
    ],
    [
      "BatchWriteItemCommand",
      {
        RequestItems: {
          t: [
            { DeleteRequest: { Key: { PK: "TENANT#t1", SK: "TENANT" } } },
            { PutRequest: { Item: { PK: "GRANT#s", SK: "TENANT#t1" } } },
          ],
        },
      },
      [{ action: "BatchWriteItem", resource: "table", leadingKeys: ["TENANT#t1", "GRANT#s"] }],
    ],
    [
      "BatchGetItemCommand",
      {
        RequestItems: {
          t: {
            Keys: [
              { PK: "TENANT#t1", SK: "TENANT" },
              { PK: "PERMSET#p", SK: "PERMSET" },
            ],
          },
        },
      },
      [{ action: "BatchGetItem", resource: "table", leadingKeys: ["TENANT#t1", "PERMSET#p"] }],
    ],
  ])("%s: the requests IAM is asked", (command, input, expected) => {
    expect(dynamoRequests(command, input)).toEqual(expected);
  });

  it("refuses to guess: an unknown command or condition operator is an error, not an allow", () => {
    expect(() => dynamoRequests("ExecuteStatementCommand", {})).toThrow(/does not know/);
    const statement: Statement = {
      Effect: "Allow",
      Action: ["dynamodb:GetItem"],
      Resource: ["table"],
      Condition: { "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": ["*"] } },
    };
    expect(() =>
      isAllowed([statement], { action: "GetItem", resource: "table", leadingKeys: ["X"] }),
    ).toThrow(/operator/);
  });

  it("reads a function's statements as deployed: its route's and its module's", async () => {
    const statements = await statementsOf("listTenants");
    // authenticate (its route needs a key), cursorKey and the index statement (its module's).
    expect(statements).toHaveLength(3);
    expect(
      isAllowed(statements, { action: "GetItem", resource: "table", leadingKeys: ["APIKEY#h"] }),
    ).toBe(true);
    expect(
      isAllowed(statements, {
        action: "Query",
        resource: "index",
        leadingKeys: ["INDEX#TENANT#007"],
      }),
    ).toBe(true);
    expect(
      isAllowed(statements, {
        action: "Query",
        resource: "index",
        leadingKeys: ["INDEX#ACCOUNT#007"],
      }),
    ).toBe(false);
    expect(
      isAllowed(statements, { action: "Query", resource: "index", leadingKeys: ["TENANT"] }),
    ).toBe(false);
    expect(
      isAllowed(statements, { action: "GetItem", resource: "table", leadingKeys: ["TENANT#t"] }),
    ).toBe(false);
  });
});
