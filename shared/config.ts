import { sdkRegionCatalog } from "./adapters/sdk-region-catalog";

/**
 * Configuration is read once per container, at cold start. A missing required variable fails the
 * cold start loudly instead of failing a request later.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConfigError(`Environment variable ${name} is required`);
  }
  return value;
}

export function intEnv(
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
  env: Env = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(
      `Environment variable ${name} must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`,
    );
  }
  return value;
}

export interface ControlPlaneConfig {
  tableName: string;
  /** How long a rotated-out external ID keeps working, so tenants can update their stacks. */
  externalIdOverlapSeconds: number;
  /**
   * How long a warm container trusts an API key it verified, on GET routes only: a key revoked
   * through another container may still read for that long. The broker and every route that
   * changes state read the key's record on each request.
   */
  apiKeyCacheTtlSeconds: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
}

export interface AccessConfig {
  /** The account and partition the control plane runs in (its access roles live there). */
  controlPlaneAccountId: string;
  partition: string;
  region: string;
  /** How long verification keeps retrying a role that is not assumable yet (IAM propagation). */
  verifyRetryBudgetMs: number;
  /** Whether verification also requires that AssumeRole without the external ID is refused. */
  negativeProbe: boolean;
}

export interface OnboardingEnv {
  templateUrl: string;
  registrationTopicArn: string;
  tokenTtlSeconds: number;
  tokenRetentionSeconds: number;
  extraResponseOrigins: string[];
}

export function loadAccessConfig(env: Env = process.env): AccessConfig {
  const region = requireEnv("AWS_REGION", env);
  const accountId = requireEnv("CONTROL_PLANE_ACCOUNT_ID", env);
  if (!/^\d{12}$/.test(accountId))
    throw new ConfigError("CONTROL_PLANE_ACCOUNT_ID must be 12 digits");
  const probe = env.VERIFY_NEGATIVE_PROBE ?? "true";
  if (probe !== "true" && probe !== "false")
    throw new ConfigError("VERIFY_NEGATIVE_PROBE must be true or false");
  return {
    controlPlaneAccountId: accountId,
    partition: sdkRegionCatalog.partitionOf(region),
    region,
    verifyRetryBudgetMs: intEnv("VERIFY_RETRY_BUDGET_MS", 20_000, { min: 0, max: 600_000 }, env),
    negativeProbe: probe === "true",
  };
}

export function loadOnboardingEnv(env: Env = process.env): OnboardingEnv {
  return {
    templateUrl: requireEnv("TEMPLATE_URL", env),
    registrationTopicArn: requireEnv("REGISTRATION_TOPIC_ARN", env),
    tokenTtlSeconds: intEnv(
      "REGISTRATION_TOKEN_TTL_SECONDS",
      7 * 24 * 3600,
      { min: 60, max: 90 * 24 * 3600 },
      env,
    ),
    tokenRetentionSeconds: intEnv(
      "REGISTRATION_TOKEN_RETENTION_SECONDS",
      400 * 24 * 3600,
      { min: 0, max: 1000 * 24 * 3600 },
      env,
    ),
    extraResponseOrigins: (env.CUSTOM_RESOURCE_RESPONSE_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

export function loadConfig(env: Env = process.env): ControlPlaneConfig {
  return {
    tableName: requireEnv("TABLE_NAME", env),
    externalIdOverlapSeconds: intEnv(
      "EXTERNAL_ID_OVERLAP_SECONDS",
      7 * 24 * 3600,
      { min: 0, max: 90 * 24 * 3600 },
      env,
    ),
    apiKeyCacheTtlSeconds: intEnv("API_KEY_CACHE_TTL_SECONDS", 30, { min: 0, max: 300 }, env),
    maxBodyBytes: intEnv("MAX_BODY_BYTES", 16 * 1024, { min: 1024, max: 1024 * 1024 }, env),
  };
}

/** The audit trails (shared/domain/audit.ts). */
export interface AuditConfig {
  /** How long a record is kept, in seconds (AUDIT_RETENTION_DAYS, default 365 days). */
  retentionSeconds: number;
}

export function loadAuditConfig(env: Env = process.env): AuditConfig {
  return {
    retentionSeconds: intEnv("AUDIT_RETENTION_DAYS", 365, { min: 1, max: 3650 }, env) * 24 * 3600,
  };
}

/** Rate limits (shared/services/rate-limiter.ts), per minute; 0 turns one off. */
export interface RateLimitConfig {
  /** POST /v1/sessions per calling service (RATE_LIMIT_SESSIONS_PER_MINUTE, 600). */
  sessionsPerMinute: number;
  /** Account, organization and external-ID changes per tenant (RATE_LIMIT_TENANT_WRITES_PER_MINUTE, 120). */
  tenantWritesPerMinute: number;
}

export function loadRateLimitConfig(env: Env = process.env): RateLimitConfig {
  return {
    sessionsPerMinute: intEnv(
      "RATE_LIMIT_SESSIONS_PER_MINUTE",
      600,
      { min: 0, max: 1_000_000 },
      env,
    ),
    tenantWritesPerMinute: intEnv(
      "RATE_LIMIT_TENANT_WRITES_PER_MINUTE",
      120,
      { min: 0, max: 1_000_000 },
      env,
    ),
  };
}

/** The scheduled health checks (shared/services/health-sweep.ts). */
export interface HealthConfig {
  /** How long each check is kept in an account's history, in seconds (HEALTH_HISTORY_DAYS, 30). */
  historySeconds: number;
  /** Checks in flight at once (HEALTH_CONCURRENCY, 16). */
  concurrency: number;
  /**
   * AssumeRole calls per second the whole sweep may make, all workers together: its share of the
   * control plane account's STS quota (SWEEP_ASSUME_ROLE_PER_SECOND, 200: 100 checks a second
   * with the negative probe).
   */
  assumeRolePerSecond: number;
  /** Minutes per sweep: every account is checked once per period (SWEEP_PERIOD_MINUTES, 15). */
  periodMinutes: number;
  /** Worker chains per sweep, each over its share of the index's shards (SWEEP_WORKERS, 4). */
  workers: number;
  /** Keys each second's budget is split over (SWEEP_BUDGET_SHARDS, 8). */
  budgetShards: number;
  /** Consecutive failed checks before an account is UNHEALTHY (HEALTH_UNHEALTHY_AFTER, 3). */
  unhealthyAfter: number;
}

export function loadHealthConfig(env: Env = process.env): HealthConfig {
  return {
    historySeconds: intEnv("HEALTH_HISTORY_DAYS", 30, { min: 1, max: 365 }, env) * 24 * 3600,
    concurrency: intEnv("HEALTH_CONCURRENCY", 16, { min: 1, max: 256 }, env),
    assumeRolePerSecond: intEnv("SWEEP_ASSUME_ROLE_PER_SECOND", 200, { min: 1, max: 10000 }, env),
    periodMinutes: intEnv("SWEEP_PERIOD_MINUTES", 15, { min: 1, max: 1440 }, env),
    // A run starts its workers in one transaction with its run item: at most 99 of them.
    workers: intEnv("SWEEP_WORKERS", 4, { min: 1, max: 64 }, env),
    budgetShards: intEnv("SWEEP_BUDGET_SHARDS", 8, { min: 1, max: 100 }, env),
    unhealthyAfter: intEnv("HEALTH_UNHEALTHY_AFTER", 3, { min: 1, max: 100 }, env),
  };
}

/** Connected AWS Organizations (shared/services/organization-service.ts, organization-job.ts). */
export interface OrganizationConfig {
  /** Member registrations in flight at once (ORGANIZATION_CONCURRENCY, 8). */
  concurrency: number;
  /**
   * Organizations API calls a second, per organization, at most (ORGANIZATION_CALLS_PER_SECOND,
   * 1): below the API's own rate (not published; throttling starts at a few a second), so that
   * the tenant's own tools still have room.
   */
  callsPerSecond: number;
  /** How often each organization is synced (ORGANIZATION_SYNC_PERIOD_MINUTES, 60). */
  syncPeriodMinutes: number;
  /** The job function's name (ORGANIZATION_JOB_FUNCTION; set by the modules of the functions that start or continue jobs). */
  jobFunction: string;
}

export function loadOrganizationConfig(env: Env = process.env): OrganizationConfig {
  return {
    concurrency: intEnv("ORGANIZATION_CONCURRENCY", 8, { min: 1, max: 64 }, env),
    callsPerSecond: intEnv("ORGANIZATION_CALLS_PER_SECOND", 1, { min: 1, max: 20 }, env),
    syncPeriodMinutes: intEnv("ORGANIZATION_SYNC_PERIOD_MINUTES", 60, { min: 0, max: 10080 }, env),
    jobFunction: env.ORGANIZATION_JOB_FUNCTION ?? "",
  };
}

/** Where health and organization changes are announced. */
export interface EventsConfig {
  /** The EventBridge bus (EVENT_BUS_NAME, default: the account's default bus). */
  busName: string;
}

export function loadEventsConfig(env: Env = process.env): EventsConfig {
  return { busName: env.EVENT_BUS_NAME || "default" };
}
