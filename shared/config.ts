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
  /** How long a verified API key stays cached in a warm container (revocation lag, at most). */
  apiKeyCacheTtlSeconds: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
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
