import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { RoleAccessError } from "../domain/errors";
import { ServiceUnavailableError } from "../errors";
import type { AssumeRoleRequest, AwsCredentials, TenantRoleGateway } from "../ports/accounts";

/**
 * STS and IAM errors, by the SDK's error name, classified into what the control plane acts on.
 * Anything not here is unexpected and propagates (a 500).
 */
const CLASSIFICATION: Record<string, RoleAccessError["code"]> = {
  AccessDenied: "ACCESS_DENIED",
  AccessDeniedException: "ACCESS_DENIED",
  NoSuchEntity: "ROLE_NOT_FOUND",
  NoSuchEntityException: "ROLE_NOT_FOUND",
  RegionDisabledException: "REGION_DISABLED",
  Throttling: "THROTTLED",
  ThrottlingException: "THROTTLED",
  TooManyRequestsException: "THROTTLED",
  RequestLimitExceeded: "THROTTLED",
  ExpiredToken: "EXPIRED_TOKEN",
  ExpiredTokenException: "EXPIRED_TOKEN",
  ValidationError: "INVALID_REQUEST",
  MalformedPolicyDocument: "INVALID_REQUEST",
  MalformedPolicyDocumentException: "INVALID_REQUEST",
  PackedPolicyTooLarge: "INVALID_REQUEST",
  PackedPolicyTooLargeException: "INVALID_REQUEST",
};

const UNAVAILABLE = /* @__PURE__ */ new Set([
  "TimeoutError",
  "ServiceUnavailable",
  "InternalFailure",
  "InternalError",
]);

export function classifyAwsError(err: unknown): never {
  const name = err instanceof Error ? err.name : "";
  const code = CLASSIFICATION[name];
  if (code) throw new RoleAccessError(code, (err as Error).message, { cause: err });
  const netCode = (err as { code?: string } | undefined)?.code;
  const serverFault = (err as { $fault?: string } | undefined)?.$fault === "server";
  if (
    serverFault ||
    UNAVAILABLE.has(name) ||
    netCode === "ECONNRESET" ||
    netCode === "ECONNREFUSED" ||
    netCode === "ETIMEDOUT"
  ) {
    throw new ServiceUnavailableError("AWS STS or IAM is unavailable; retry shortly", {
      retryAfterSeconds: 2,
      cause: err,
    });
  }
  throw err;
}

export function sdkCredentials(c: AwsCredentials) {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
  };
}

/** STS as the control plane uses it: AssumeRole and GetCallerIdentity, per-region clients. */
export class AwsStsGateway implements Pick<TenantRoleGateway, "assumeRole" | "callerIdentity"> {
  /** One STS client per region, for the container's life: regional endpoints, adaptive retry. */
  private readonly stsClients = new Map<string, STSClient>();

  constructor(private readonly options: { maxAttempts?: number } = {}) {}

  private sts(region: string): STSClient {
    let client = this.stsClients.get(region);
    if (!client) {
      client = new STSClient({
        region,
        retryMode: "adaptive",
        maxAttempts: this.options.maxAttempts ?? 3,
      });
      this.stsClients.set(region, client);
    }
    return client;
  }

  async assumeRole(r: AssumeRoleRequest): Promise<AwsCredentials> {
    try {
      const out = await this.sts(r.region).send(
        new AssumeRoleCommand({
          RoleArn: r.roleArn,
          RoleSessionName: r.sessionName,
          DurationSeconds: r.durationSeconds,
          ...(r.externalId === undefined ? {} : { ExternalId: r.externalId }),
          ...(r.sourceIdentity === undefined ? {} : { SourceIdentity: r.sourceIdentity }),
          ...(r.tags === undefined
            ? {}
            : { Tags: r.tags.map((t) => ({ Key: t.key, Value: t.value })) }),
          ...(r.policy === undefined ? {} : { Policy: r.policy }),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new Error("AssumeRole returned no credentials");
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
        ...(out.AssumedRoleUser?.Arn ? { assumedRoleArn: out.AssumedRoleUser.Arn } : {}),
      };
    } catch (err) {
      return classifyAwsError(err);
    }
  }

  async callerIdentity(credentials: AwsCredentials, region: string) {
    const client = new STSClient({
      region,
      credentials: sdkCredentials(credentials),
      maxAttempts: this.options.maxAttempts ?? 3,
    });
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? "", arn: out.Arn ?? "" };
    } catch (err) {
      return classifyAwsError(err);
    } finally {
      client.destroy();
    }
  }
}
