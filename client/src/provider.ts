import { ControlPlaneClient } from "./client";

/**
 * The shape of the AWS SDK v3's `AwsCredentialIdentity` and `AwsCredentialIdentityProvider`
 * (@smithy/types), written out so that this package needs no SDK package: TypeScript matches
 * them structurally, so `fromControlPlane(...)` goes wherever the SDK takes `credentials`.
 */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
  /** The tenant account the credentials are for (the SDK uses it for account-based endpoints). */
  readonly accountId?: string;
}
export type AwsCredentialIdentityProvider = (
  identityProperties?: Record<string, unknown>,
) => Promise<AwsCredentialIdentity>;

export interface ControlPlaneCredentialOptions {
  /** The control plane's API, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod */
  baseUrl: string;
  /** A service key (role `service`) with a grant for the tenant. */
  apiKey: string;
  tenantId: string;
  accountId: string;
  permissionSet?: string;
  durationSeconds?: number;
  region?: string;
  /**
   * Fetch new credentials this long before the current ones expire (default 300 s; at most half
   * of a session's lifetime, so that a short session is not refetched on every call).
   */
  refreshBeforeExpirySeconds?: number;
  /** For tests: the clock, and the HTTP client. */
  now?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * An AWS SDK v3 credential provider that gets its sessions from the control plane's broker:
 *
 *   const s3 = new S3Client({ credentials: fromControlPlane({ baseUrl, apiKey, tenantId, accountId }) });
 *
 * It keeps the current session and asks for a new one only within the refresh window before it
 * expires; concurrent callers share one request. An error answer is passed on as a
 * `ControlPlaneError` with the API's status and code, and the next call asks again.
 */
export function fromControlPlane(
  options: ControlPlaneCredentialOptions,
): AwsCredentialIdentityProvider {
  const client = new ControlPlaneClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const now = options.now ?? Date.now;
  const window = (options.refreshBeforeExpirySeconds ?? 300) * 1000;
  let current: { identity: AwsCredentialIdentity; refreshAt: number } | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  async function fetchSession(): Promise<AwsCredentialIdentity> {
    const issuedAt = now();
    const session = await client.createSession({
      tenantId: options.tenantId,
      accountId: options.accountId,
      ...(options.permissionSet ? { permissionSet: options.permissionSet } : {}),
      ...(options.durationSeconds ? { durationSeconds: options.durationSeconds } : {}),
      ...(options.region ? { region: options.region } : {}),
    });
    const expiration = new Date(session.credentials.expiration);
    const lifetime = expiration.getTime() - issuedAt;
    const identity: AwsCredentialIdentity = {
      accessKeyId: session.credentials.accessKeyId,
      secretAccessKey: session.credentials.secretAccessKey,
      sessionToken: session.credentials.sessionToken,
      expiration,
      accountId: options.accountId,
    };
    current = { identity, refreshAt: expiration.getTime() - Math.min(window, lifetime / 2) };
    return identity;
  }

  return () => {
    if (current && now() < current.refreshAt) return Promise.resolve(current.identity);
    inFlight ??= fetchSession().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
