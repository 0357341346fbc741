import {
  AttachRolePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListPolicyVersionsCommand,
  paginateListAttachedRolePolicies,
} from "@aws-sdk/client-iam";
import type { AwsCredentials, RoleBrakeGateway } from "../ports/accounts";
import { classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

/** IAM limits a managed policy to five versions. */
const MAX_POLICY_VERSIONS = 5;

/**
 * IAM through the tenant role's own session: attach, detach and list its managed policies, and
 * rewrite its revocation boundary.
 */
export class AwsRoleBrakeGateway implements RoleBrakeGateway {
  constructor(private readonly options: { maxAttempts?: number } = {}) {}

  private async withClient<T>(
    credentials: AwsCredentials,
    region: string,
    fn: (client: IAMClient) => Promise<T>,
  ): Promise<T> {
    const client = new IAMClient({
      region,
      credentials: sdkCredentials(credentials),
      maxAttempts: this.options.maxAttempts ?? 3,
    });
    try {
      return await fn(client);
    } catch (err) {
      return classifyAwsError(err);
    } finally {
      client.destroy();
    }
  }

  async attach(credentials: AwsCredentials, roleName: string, policyArn: string, region: string) {
    await this.withClient(credentials, region, (c) =>
      c.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
    );
  }

  async detach(credentials: AwsCredentials, roleName: string, policyArn: string, region: string) {
    await this.withClient(credentials, region, (c) =>
      c.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
    );
  }

  attached(credentials: AwsCredentials, roleName: string, region: string) {
    return this.withClient(credentials, region, async (client) => {
      const arns: string[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client },
        { RoleName: roleName },
      )) {
        for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
      }
      return arns;
    });
  }

  rewritePolicy(credentials: AwsCredentials, policyArn: string, document: string, region: string) {
    return this.withClient(credentials, region, async (client) => {
      const listed = await client.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }));
      const old = (listed.Versions ?? [])
        .filter((v) => !v.IsDefaultVersion && v.VersionId)
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0));
      let count = listed.Versions?.length ?? 0;
      for (const version of old) {
        if (count < MAX_POLICY_VERSIONS) break;
        await client.send(
          new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: version.VersionId }),
        );
        count -= 1;
      }
      await client.send(
        new CreatePolicyVersionCommand({
          PolicyArn: policyArn,
          PolicyDocument: document,
          SetAsDefault: true,
        }),
      );
    });
  }
}
