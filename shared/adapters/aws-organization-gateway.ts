import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListChildren,
} from "@aws-sdk/client-organizations";
import type { OrganizationMember } from "../domain/organization";
import { UnprocessableError } from "../errors";
import type { AwsCredentials } from "../ports/accounts";
import type { OrganizationGateway, OrganizationPages } from "../ports/organizations";
import { classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

/** Organizations has one endpoint per partition: its Region where known, else our own. */
const ENDPOINT_REGION: Record<string, string> = {
  aws: "us-east-1",
  "aws-cn": "cn-northwest-1",
  "aws-us-gov": "us-gov-west-1",
};

/** What the organization said that the tenant must fix: a 422 with a code, not a 5xx. */
const TENANT_ERRORS: Record<string, { code: string; message: string }> = {
  AWSOrganizationsNotInUseException: {
    code: "NOT_AN_ORGANIZATION",
    message: "The management account is not part of an organization.",
  },
  ParentNotFoundException: {
    code: "ORGANIZATIONAL_UNIT_NOT_FOUND",
    message: "One of the organizational unit IDs does not exist in the organization.",
  },
  ChildNotFoundException: {
    code: "ORGANIZATIONAL_UNIT_NOT_FOUND",
    message: "One of the organizational unit IDs does not exist in the organization.",
  },
  InvalidInputException: {
    code: "ORGANIZATIONAL_UNIT_NOT_FOUND",
    message: "One of the organizational unit IDs is not one AWS Organizations accepts.",
  },
};

function classify(err: unknown): never {
  const known = TENANT_ERRORS[err instanceof Error ? err.name : ""];
  if (known) throw new UnprocessableError(known.code, known.message, { cause: err });
  return classifyAwsError(err);
}

/** AWS Organizations through the management role's session: read-only, every page. */
export class AwsOrganizationGateway implements OrganizationGateway, OrganizationPages {
  private readonly region: string;

  constructor(
    partition: string,
    ownRegion: string,
    private readonly options: { maxAttempts?: number } = {},
  ) {
    this.region = ENDPOINT_REGION[partition] ?? ownRegion;
  }

  private async withClient<T>(
    credentials: AwsCredentials,
    fn: (client: OrganizationsClient) => Promise<T>,
  ): Promise<T> {
    const client = new OrganizationsClient({
      region: this.region,
      credentials: sdkCredentials(credentials),
      retryMode: "adaptive",
      maxAttempts: this.options.maxAttempts ?? 5,
    });
    try {
      return await fn(client);
    } catch (err) {
      return classify(err);
    } finally {
      client.destroy();
    }
  }

  describe(credentials: AwsCredentials) {
    return this.withClient(credentials, async (client) => {
      const out = await client.send(new DescribeOrganizationCommand({}));
      return {
        organizationId: out.Organization?.Id ?? "",
        managementAccountId: out.Organization?.MasterAccountId ?? "",
      };
    });
  }

  accounts(credentials: AwsCredentials): Promise<OrganizationMember[]> {
    return this.withClient(credentials, async (client) => {
      const members: OrganizationMember[] = [];
      for await (const page of paginateListAccounts({ client }, {})) {
        for (const a of page.Accounts ?? []) {
          if (!a.Id) continue;
          // State replaces the deprecated Status (which has no CLOSED); prefer it when present.
          members.push({ accountId: a.Id, state: a.State ?? a.Status ?? "UNKNOWN" });
        }
      }
      return members;
    });
  }

  accountsPage(credentials: AwsCredentials, nextToken?: string) {
    return this.withClient(credentials, async (client) => {
      const out = await client.send(
        new ListAccountsCommand({ ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      return {
        members: (out.Accounts ?? []).flatMap((a) =>
          a.Id ? [{ accountId: a.Id, state: a.State ?? a.Status ?? "UNKNOWN" }] : [],
        ),
        ...(out.NextToken ? { nextToken: out.NextToken } : {}),
      };
    });
  }

  childrenPage(
    credentials: AwsCredentials,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
    nextToken?: string,
  ) {
    return this.withClient(credentials, async (client) => {
      const out = await client.send(
        new ListChildrenCommand({
          ParentId: parentId,
          ChildType: type,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      return {
        ids: (out.Children ?? []).flatMap((c) => (c.Id ? [c.Id] : [])),
        ...(out.NextToken ? { nextToken: out.NextToken } : {}),
      };
    });
  }

  children(credentials: AwsCredentials, parentId: string, type: "ACCOUNT" | "ORGANIZATIONAL_UNIT") {
    return this.withClient(credentials, async (client) => {
      const ids: string[] = [];
      for await (const page of paginateListChildren(
        { client },
        { ParentId: parentId, ChildType: type },
      )) {
        for (const c of page.Children ?? []) if (c.Id) ids.push(c.Id);
      }
      return ids;
    });
  }
}
