import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import type { AssumeRoleRequest, AwsCredentials, TenantRoleGateway } from "../ports/accounts";
import { AwsStsGateway, classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

export { classifyAwsError } from "./aws-sts-gateway";

/**
 * STS plus reading a role's trust policy through the role itself (iam:GetRole). Only the
 * functions that verify roles bundle the IAM client; the broker uses AwsStsGateway alone. It holds
 * an AwsStsGateway rather than extending it (no adapter extends another: CONTRIBUTING, "Bundles").
 */
export class AwsTenantRoleGateway implements TenantRoleGateway {
  private readonly sts: AwsStsGateway;

  constructor(private readonly options: { maxAttempts?: number } = {}) {
    this.sts = new AwsStsGateway(options);
  }

  assumeRole(r: AssumeRoleRequest): Promise<AwsCredentials> {
    return this.sts.assumeRole(r);
  }

  callerIdentity(credentials: AwsCredentials, region: string) {
    return this.sts.callerIdentity(credentials, region);
  }

  async roleTrustPolicy(
    credentials: AwsCredentials,
    roleName: string,
    region: string,
  ): Promise<unknown> {
    const client = new IAMClient({
      region,
      credentials: sdkCredentials(credentials),
      maxAttempts: this.options.maxAttempts ?? 3,
    });
    try {
      const out = await client.send(new GetRoleCommand({ RoleName: roleName }));
      return parsePolicyDocument(out.Role?.AssumeRolePolicyDocument);
    } catch (err) {
      return classifyAwsError(err);
    } finally {
      client.destroy();
    }
  }
}

/** IAM returns policy documents URL-encoded; tolerate a plain one too. */
export function parsePolicyDocument(doc: string | undefined): unknown {
  if (doc === undefined) return undefined;
  for (const text of [safeDecode(doc), doc]) {
    try {
      return JSON.parse(text);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
