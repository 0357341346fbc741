import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import type { AwsCredentials, TenantRoleGateway } from "../ports/accounts";
import { AwsStsGateway, classifyAwsError, sdkCredentials } from "./aws-sts-gateway";

export { classifyAwsError } from "./aws-sts-gateway";

/**
 * STS plus reading a role's trust policy through the role itself (iam:GetRole). Only the
 * functions that verify roles bundle the IAM client; the broker uses AwsStsGateway alone.
 */
export class AwsTenantRoleGateway extends AwsStsGateway implements TenantRoleGateway {
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
