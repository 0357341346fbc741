import {
  AttachRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
} from "@aws-sdk/client-iam";
import type { AwsCredentials, RoleBrakeGateway } from "../ports";
import { classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

/** IAM through the tenant role's own session: attach, detach and list its managed policies. */
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
}
