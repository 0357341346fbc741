import { type ExternalIdState, externalIdStatus } from "./tenant";
import type { VerificationCode, VerificationFailure } from "./verification";

/**
 * Account health, as the scheduled checks see it.
 *  - HEALTHY: the last check passed.
 *  - DEGRADED: the last checks failed for a transient cause (throttling, a timeout), or passed
 *    only with the tenant's previous external ID (EXTERNAL_ID_PREVIOUS: the role still works
 *    during the rotation's overlap, and stops when it ends). Throttling never makes an account
 *    UNHEALTHY; other transient failures do after `unhealthyAfter` in a row.
 *  - UNHEALTHY: access denied, role gone, account mismatch, trust-policy drift, region disabled,
 *    or EXTERNAL_ID_EXPIRED (the role still trusts only an external ID whose overlap ended).
 */
export type HealthState = "HEALTHY" | "DEGRADED" | "UNHEALTHY";

export type CheckCode =
  | VerificationCode
  | "TIMEOUT"
  | "EXTERNAL_ID_PREVIOUS"
  | "EXTERNAL_ID_EXPIRED";

export type CheckOutcome =
  | { ok: true; latencyMs: number; warning?: { code: "EXTERNAL_ID_PREVIOUS"; message: string } }
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
    state = outcome.warning ? "DEGRADED" : "HEALTHY";
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
    ...(outcome.ok
      ? outcome.warning
        ? { lastErrorCode: outcome.warning.code, lastErrorMessage: outcome.warning.message }
        : {}
      : { lastErrorCode: outcome.code, lastErrorMessage: outcome.message }),
  };
  if (!changed) return { health };
  return {
    health,
    change: {
      from: previous?.state,
      to: state,
      reason: outcome.ok ? (outcome.warning?.code ?? "CHECK_PASSED") : outcome.code,
    },
  };
}

/**
 * A check's outcome from the verification's result and the tenant's external IDs: passing with
 * the previous ID is a warning (DEGRADED) while its overlap lasts; a role refusing every valid ID
 * while the account is recorded on an ID whose overlap has ended is EXTERNAL_ID_EXPIRED.
 */
export function checkOutcome(
  state: ExternalIdState,
  recorded: string | undefined,
  result:
    | { ok: true; externalId: string }
    | { ok: false; failure: VerificationFailure; externalId?: string },
  now: Date,
  latencyMs: number,
): CheckOutcome {
  if (result.ok) {
    if (externalIdStatus(state, result.externalId, now) !== "PREVIOUS")
      return { ok: true, latencyMs };
    return {
      ok: true,
      latencyMs,
      warning: {
        code: "EXTERNAL_ID_PREVIOUS",
        message: `The role still trusts your previous external ID, accepted only until ${state.previousValidUntil}. Update the stack (or the trust policy) with your current external ID.`,
      },
    };
  }
  const { failure } = result;
  if (
    failure.code === "ACCESS_DENIED" &&
    result.externalId === undefined &&
    externalIdStatus(state, recorded, now) === "EXPIRED"
  ) {
    return {
      ok: false,
      code: "EXTERNAL_ID_EXPIRED",
      message:
        "The role still trusts an external ID whose rotation overlap has ended, so AWS refuses the control plane. Update the stack (or the trust policy) with your current external ID.",
      latencyMs,
    };
  }
  return { ok: false, code: failure.code, message: failure.message, latencyMs };
}
