/**
 * Session attributes, clamped to what STS accepts (facts.md): RoleSessionName 2..64 of
 * [\w+=,.@-]; SourceIdentity the service name (validated when its key was created).
 */
const SESSION_NAME_MAX = 64;

export function roleSessionName(service: string, requestId: string): string {
  const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, "");
  const short = clean(requestId).slice(0, 12) || "session";
  const prefix = clean(service).slice(0, SESSION_NAME_MAX - short.length - 1);
  return `${prefix}-${short}`.slice(0, SESSION_NAME_MAX);
}

/** Everything that makes two sessions interchangeable; anything else must give another session. */
export interface SessionKey {
  service: string;
  roleArn: string;
  externalId: string;
  permissionSet: string;
  policy: string;
  region: string;
  durationSeconds: number;
}

export function sessionCacheKey(k: SessionKey): string {
  return JSON.stringify([
    k.service,
    k.roleArn,
    k.externalId,
    k.permissionSet,
    k.policy,
    k.region,
    k.durationSeconds,
  ]);
}
