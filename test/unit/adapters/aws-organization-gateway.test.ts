import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AwsOrganizationGateway } from "../../../shared/adapters/aws-organization-gateway";
import { RoleAccessError } from "../../../shared/domain/errors";
import { UnprocessableError } from "../../../shared/errors";

const orgs = mockClient(OrganizationsClient);
// mockClient patched the class itself: later files of this worker share it (vitest.config.ts).
afterAll(() => orgs.restore());
const credentials = { accessKeyId: "a", secretAccessKey: "s", sessionToken: "t" };
const gateway = new AwsOrganizationGateway("aws", "eu-west-1", { maxAttempts: 1 });

beforeEach(() => orgs.reset());

describe("AwsOrganizationGateway", () => {
  it("reads every page of ListAccounts, preferring State over the deprecated Status", async () => {
    orgs
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [
          { Id: "111111111111", State: "ACTIVE", Status: "ACTIVE" },
          { Id: "222222222222", State: "CLOSED", Status: "SUSPENDED" },
        ],
        NextToken: "page-2",
      })
      .on(ListAccountsCommand, { NextToken: "page-2" })
      .resolves({ Accounts: [{ Id: "333333333333", Status: "SUSPENDED" }], NextToken: "page-3" })
      .on(ListAccountsCommand, { NextToken: "page-3" })
      .resolves({ Accounts: [{ Id: "044444444444", State: "ACTIVE" }] });
    expect(await gateway.accounts(credentials)).toEqual([
      { accountId: "111111111111", state: "ACTIVE" },
      { accountId: "222222222222", state: "CLOSED" },
      { accountId: "333333333333", state: "SUSPENDED" },
      { accountId: "044444444444", state: "ACTIVE" },
    ]);
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(3);
  });

  it("reads every page of ListChildren, of the requested type", async () => {
    orgs
      .on(ListChildrenCommand, { ParentId: "ou-ab12-cdefgh34", NextToken: undefined })
      .resolves({
        Children: [{ Id: "ou-ab12-child001", Type: "ORGANIZATIONAL_UNIT" }],
        NextToken: "n",
      })
      .on(ListChildrenCommand, { ParentId: "ou-ab12-cdefgh34", NextToken: "n" })
      .resolves({ Children: [{ Id: "ou-ab12-child002", Type: "ORGANIZATIONAL_UNIT" }] });
    expect(await gateway.children(credentials, "ou-ab12-cdefgh34", "ORGANIZATIONAL_UNIT")).toEqual([
      "ou-ab12-child001",
      "ou-ab12-child002",
    ]);
    expect(orgs.commandCalls(ListChildrenCommand)[0]?.args[0].input.ChildType).toBe(
      "ORGANIZATIONAL_UNIT",
    );
  });

  it("calls the partition's Organizations endpoint Region with the session's credentials", async () => {
    orgs.on(DescribeOrganizationCommand).resolves({
      Organization: { Id: "o-abc123", MasterAccountId: "100000000000" },
    });
    expect(await gateway.describe(credentials)).toEqual({
      organizationId: "o-abc123",
      managementAccountId: "100000000000",
    });
    const client = orgs.call(0).thisValue as OrganizationsClient;
    expect(await client.config.region()).toBe("us-east-1");
    expect((await client.config.credentials()).accessKeyId).toBe("a");
  });

  it.each([
    ["AWSOrganizationsNotInUseException", UnprocessableError, "NOT_AN_ORGANIZATION"],
    ["ParentNotFoundException", UnprocessableError, "ORGANIZATIONAL_UNIT_NOT_FOUND"],
    ["AccessDeniedException", RoleAccessError, "ACCESS_DENIED"],
    ["TooManyRequestsException", RoleAccessError, "THROTTLED"],
  ])("%s becomes %s %s", async (name, type, code) => {
    orgs.on(ListChildrenCommand).rejects(Object.assign(new Error(name), { name }));
    const err = await gateway.children(credentials, "r-ab12", "ACCOUNT").catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(code);
  });
});
