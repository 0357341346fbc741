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
  /** The tenant's valid external IDs, in the order presented: a rotation gives another key. */
  externalIds: readonly string[];
  /**
   * The account's brake generation (freezes and unfreezes so far): a session issued before the
   * last brake change is never handed out again, even once the account is unfrozen.
   */
  brakeGeneration: number;
  permissionSet: string;
  policy: string;
  region: string;
  durationSeconds: number;
}

export function sessionCacheKey(k: SessionKey): string {
  return JSON.stringify([
    k.service,
    k.roleArn,
    k.externalIds,
    k.brakeGeneration,
    k.permissionSet,
    k.policy,
    k.region,
    k.durationSeconds,
  ]);
}
