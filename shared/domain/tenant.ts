import { ConflictError } from "../errors";
import type { Account, AccountStatus } from "./account";

/** A tenant of the platform: one customer, one current external ID (plus at most one previous). */
export type TenantStatus = "ACTIVE" | "DELETING";

export interface ExternalIdState {
  current: string;
  currentSince: string;
  /** The external ID rotated out most recently, accepted until `previousValidUntil`. */
  previous?: string;
  previousValidUntil?: string;
}

export interface Tenant {
  tenantId: string;
  name: string;
  status: TenantStatus;
  externalId: ExternalIdState;
  /** While suspended, no session is issued for the tenant; everything else works. */
  suspended?: boolean;
  suspendedAt?: string;
  createdAt: string;
  updatedAt: string;
  /** Incremented on every change; conditional writes compare it (optimistic locking). */
  version: number;
}

export interface ExternalIdView {
  externalId: string;
  status: "CURRENT" | "PREVIOUS";
  validFrom?: string;
  validUntil?: string;
}

/** The tenant's external IDs that a trust policy may still use at `now`, current first. */
export function validExternalIds(state: ExternalIdState, now: Date): ExternalIdView[] {
  const views: ExternalIdView[] = [
    { externalId: state.current, status: "CURRENT", validFrom: state.currentSince },
  ];
  if (
    state.previous !== undefined &&
    state.previousValidUntil !== undefined &&
    Date.parse(state.previousValidUntil) > now.getTime()
  ) {
    views.push({
      externalId: state.previous,
      status: "PREVIOUS",
      validUntil: state.previousValidUntil,
    });
  }
  return views;
}

/**
 * Rotation: the new ID becomes current at once; the one it replaces stays valid for
 * `overlapSeconds`. An ID that was already "previous" is dropped, so at most two are ever valid.
 */
export function rotateExternalId(
  state: ExternalIdState,
  next: string,
  now: Date,
  overlapSeconds: number,
): ExternalIdState {
  return {
    current: next,
    currentSince: now.toISOString(),
    previous: state.current,
    previousValidUntil: new Date(now.getTime() + overlapSeconds * 1000).toISOString(),
  };
}

/**
 * The external IDs to present to a tenant role, in order: the one its trust policy last accepted
 * (while it is still valid), then the tenant's other valid IDs, current first. During a rotation's
 * overlap a role still on the previous ID keeps working, and one already updated is found next.
 */
export function externalIdCandidates(
  state: ExternalIdState,
  accepted: string | undefined,
  now: Date,
): string[] {
  const valid = validExternalIds(state, now).map((v) => v.externalId);
  if (accepted === undefined || !valid.includes(accepted)) return valid;
  return [accepted, ...valid.filter((id) => id !== accepted)];
}

/**
 * Which of the tenant's external IDs an account's trust policy relies on: CURRENT, PREVIOUS (still
 * in its overlap: the tenant should update the role), EXPIRED (the overlap ended; the role refuses
 * the control plane until it is updated), or undefined when nothing is recorded yet.
 */
export type ExternalIdStatus = "CURRENT" | "PREVIOUS" | "EXPIRED";

export function externalIdStatus(
  state: ExternalIdState,
  accepted: string | undefined,
  now: Date,
): ExternalIdStatus | undefined {
  if (accepted === undefined) return undefined;
  if (accepted === state.current) return "CURRENT";
  const previous = validExternalIds(state, now).find((v) => v.status === "PREVIOUS");
  return previous?.externalId === accepted ? "PREVIOUS" : "EXPIRED";
}

/** An account as the rotation rule reads it (one paged read of the tenant's accounts). */
export type RotationAccount = Pick<Account, "accountId" | "status" | "acceptedExternalId">;

/**
 * Whether an account holds the next rotation back, by its lifecycle status and what it was last
 * seen accepting (its externalIdStatus; UNSEEN: no AssumeRole of it ever succeeded). A rotation
 * drops the previous ID, so it waits until every account that may still rely on an ID other than
 * the current one has been seen accepting the current one (a health check, a verification, a
 * session, a registration). Frozen accounts count like any other (unfreezing needs the role);
 * FAILED ones too (what failed may be unrelated to the ID, and the role may still hold only an old
 * one). DETACHED accounts are never brokered or checked, and are verified from scratch when they
 * are registered again, so they hold nothing back. An EXPIRED account is cut off already, but it
 * still has to be seen with the current ID: the rule does not guess whose stack is being updated.
 */
export const ROTATION_HOLDS: Record<AccountStatus, Record<ExternalIdStatus | "UNSEEN", boolean>> = {
  VERIFIED: { CURRENT: false, PREVIOUS: true, EXPIRED: true, UNSEEN: true },
  FAILED: { CURRENT: false, PREVIOUS: true, EXPIRED: true, UNSEEN: true },
  DETACHED: { CURRENT: false, PREVIOUS: false, EXPIRED: false, UNSEEN: false },
};

/** How many account IDs a refused rotation names (the count is always exact). */
export const ROTATION_SAMPLE_SIZE = 10;

/** Whether `account` holds back a rotation of a tenant whose external IDs are `state`. */
export function holdsRotation(
  state: ExternalIdState,
  account: RotationAccount,
  now: Date,
): boolean {
  const seen = externalIdStatus(state, account.acceptedExternalId, now) ?? "UNSEEN";
  // A status the table does not know (a record from a newer version) holds it back: fail closed.
  return ROTATION_HOLDS[account.status]?.[seen] ?? true;
}

export interface RotationDecision {
  allowed: boolean;
  /** The accounts not yet seen accepting the current ID (ROTATION_HOLDS): all of them. */
  lagging: number;
  /** The first of them, sorted, at most ROTATION_SAMPLE_SIZE. */
  sample: string[];
}

/**
 * May the tenant rotate now? Only when no account holds it back, or when forced (an organization
 * whose StackSet update is still running). A tenant with no accounts always may.
 */
export function decideRotation(
  state: ExternalIdState,
  accounts: readonly RotationAccount[],
  now: Date,
  force: boolean,
): RotationDecision {
  const lagging = accounts
    .filter((a) => holdsRotation(state, a, now))
    .map((a) => a.accountId)
    .sort();
  return {
    allowed: lagging.length === 0 || force,
    lagging: lagging.length,
    sample: lagging.slice(0, ROTATION_SAMPLE_SIZE),
  };
}

/** `decideRotation`, or its refusal as the API's error: 409 ROTATION_WOULD_STRAND_ACCOUNTS. */
export function requireRotation(
  tenantId: string,
  state: ExternalIdState,
  accounts: readonly RotationAccount[],
  now: Date,
  force: boolean,
): RotationDecision {
  const decision = decideRotation(state, accounts, now, force);
  if (decision.allowed) return decision;
  const n = decision.lagging;
  const more = n > decision.sample.length ? `, and ${n - decision.sample.length} more` : "";
  throw new ConflictError(
    "ROTATION_WOULD_STRAND_ACCOUNTS",
    `${n} account${n === 1 ? " has" : "s have"} not been seen accepting tenant ${tenantId}'s current external ID (${decision.sample.join(", ")}${more}): another rotation would drop the ID they may still use. Update their stacks with the current ID and verify them (or wait for a health check), or send {"force": true}.`,
    { details: { laggingAccounts: n, accountIds: decision.sample } },
  );
}
