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
