import type { Account } from "./account";

/** A tenant's connected AWS Organization (one per tenant). */
export interface OrganizationConnection {
  tenantId: string;
  managementAccountId: string;
  managementRoleArn: string;
  /** The member role's name in every member account (the StackSet's MemberRoleName). */
  memberRoleName: string;
  /** Only accounts under these OUs (or roots), child OUs included; absent: the whole organization. */
  organizationalUnitIds?: string[];
  organizationId?: string;
  connectedAt: string;
  lastSync?: SyncSummary;
  /**
   * Set when a disconnect starts (and kept if it fails part way, so that its retry finishes it):
   * no job starts or runs for this connection any more.
   */
  disconnecting?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface SyncSummary {
  at: string;
  /** Member accounts in scope at that sync (the management account excluded). */
  members: number;
  registered: number;
  alreadyRegistered: number;
  failed: number;
  skipped: number;
  detached: number;
  pending: number;
}

/** Root IDs and OU IDs as AWS Organizations writes them. */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** An account as the organization lists it. */
export interface OrganizationMember {
  accountId: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION (State; Status in older APIs). */
  state: string;
}

export type SkipReason =
  | "MANAGEMENT_ACCOUNT"
  | "SUSPENDED"
  | "PENDING_CLOSURE"
  | "CLOSED"
  | "NOT_ACTIVE";
export type DetachReason = "LEFT_ORGANIZATION" | "OUT_OF_SCOPE" | "SUSPENDED" | "CLOSED";

export interface SyncPlan {
  register: string[];
  alreadyRegistered: string[];
  skipped: { accountId: string; reason: SkipReason }[];
  detach: { account: Account; reason: DetachReason }[];
}

function skipReason(state: string): SkipReason {
  switch (state) {
    case "SUSPENDED":
    case "PENDING_CLOSURE":
    case "CLOSED":
      return state;
    default:
      return "NOT_ACTIVE";
  }
}

/** Whether this organization connection registered the account (and so may detach it). */
export function registeredBy(account: Account, managementAccountId: string): boolean {
  return (
    account.source.kind === "organization" &&
    account.source.managementAccountId === managementAccountId
  );
}

/**
 * What a sync does, from the organization's accounts, the ones in scope (the chosen OUs, or all),
 * and the tenant's registered accounts. Pure: the service carries it out.
 *  - ACTIVE members in scope that are not registered (or that this organization detached) are
 *    registered; registered ones are left alone, whoever registered them.
 *  - The management account is never a member (StackSets never deploy there).
 *  - Members not ACTIVE are skipped; accounts this organization registered that left it, left the
 *    scope or are no longer ACTIVE are detached (no longer brokered). Accounts registered another
 *    way are never touched.
 */
export function planSync(input: {
  managementAccountId: string;
  members: OrganizationMember[];
  inScope: ReadonlySet<string>;
  accounts: Account[];
}): SyncPlan {
  const registered = new Map(input.accounts.map((a) => [a.accountId, a]));
  const members = new Map(input.members.map((m) => [m.accountId, m]));
  const plan: SyncPlan = { register: [], alreadyRegistered: [], skipped: [], detach: [] };
  for (const member of input.members) {
    if (!input.inScope.has(member.accountId)) continue;
    if (member.accountId === input.managementAccountId) {
      plan.skipped.push({ accountId: member.accountId, reason: "MANAGEMENT_ACCOUNT" });
      continue;
    }
    if (member.state !== "ACTIVE") {
      plan.skipped.push({ accountId: member.accountId, reason: skipReason(member.state) });
      continue;
    }
    const account = registered.get(member.accountId);
    if (account === undefined || account.status === "DETACHED")
      plan.register.push(member.accountId);
    else plan.alreadyRegistered.push(member.accountId);
  }
  for (const account of input.accounts) {
    if (!registeredBy(account, input.managementAccountId) || account.status === "DETACHED")
      continue;
    const member = members.get(account.accountId);
    const reason: DetachReason | undefined =
      member === undefined
        ? "LEFT_ORGANIZATION"
        : !input.inScope.has(account.accountId)
          ? "OUT_OF_SCOPE"
          : member.state === "ACTIVE"
            ? undefined
            : member.state === "SUSPENDED"
              ? "SUSPENDED"
              : "CLOSED";
    if (reason) plan.detach.push({ account, reason });
  }
  return plan;
}
