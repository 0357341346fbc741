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
