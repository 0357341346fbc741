import type { VerificationCode } from "./verification";

/**
 * Account health, as the scheduled checks see it (issue #5).
 *  - HEALTHY: the last check passed.
 *  - DEGRADED: the last checks failed for a transient cause (throttling, a timeout). Throttling
 *    never makes an account UNHEALTHY; other transient failures do after `unhealthyAfter` in a row.
 *  - UNHEALTHY: access denied, role gone, account mismatch, trust-policy drift, region disabled.
 */
export type HealthState = "HEALTHY" | "DEGRADED" | "UNHEALTHY";

export type CheckCode = VerificationCode | "TIMEOUT";

export type CheckOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; code: CheckCode; message: string; latencyMs: number };

export interface AccountHealth {
  state: HealthState;
  since: string;
  lastCheckedAt: string;
  latencyMs: number;
  consecutiveFailures: number;
  lastErrorCode?: CheckCode;
  lastErrorMessage?: string;
}

export interface HealthChange {
  from: HealthState | undefined;
  to: HealthState;
  reason: string;
}

function isTransient(code: CheckCode): boolean {
  return code === "THROTTLED" || code === "TIMEOUT";
}

/** The account's health after one check, and the change to announce (none when the state stays). */
export function nextHealth(
  previous: AccountHealth | undefined,
  outcome: CheckOutcome,
  at: string,
  unhealthyAfter: number,
): { health: AccountHealth; change?: HealthChange } {
  let state: HealthState;
  let consecutiveFailures: number;
  if (outcome.ok) {
    state = "HEALTHY";
    consecutiveFailures = 0;
  } else {
    consecutiveFailures = (previous?.consecutiveFailures ?? 0) + 1;
    if (!isTransient(outcome.code)) state = "UNHEALTHY";
    else if (outcome.code === "TIMEOUT" && consecutiveFailures >= unhealthyAfter)
      state = "UNHEALTHY";
    else state = "DEGRADED";
  }
  const changed = previous?.state !== state;
  const health: AccountHealth = {
    state,
    since: changed || previous === undefined ? at : previous.since,
    lastCheckedAt: at,
    latencyMs: outcome.latencyMs,
    consecutiveFailures,
    ...(outcome.ok ? {} : { lastErrorCode: outcome.code, lastErrorMessage: outcome.message }),
  };
  if (!changed) return { health };
  return {
    health,
    change: {
      from: previous?.state,
      to: state,
      reason: outcome.ok ? "CHECK_PASSED" : outcome.code,
    },
  };
}
