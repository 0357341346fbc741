import { AccountNotFoundError, ConflictError, type RefusalKind } from "../errors";
import type { Account, AccountSource, AccountStatus } from "./account";
import type { Tenant } from "./tenant";

/**
 * The account lifecycle, as one table. Every service that changes an account asks `decide` first
 * and writes only what it answers; a change the table does not allow is refused with the table's
 * code (a conflict, or not-found for an account that is not there: 409 or 404 on the API).
 *
 * States: ABSENT (never registered, or deleted), VERIFIED, FAILED, DETACHED; each of the last three
 * frozen or not. There is no stored PENDING: registration verifies the role before anything is
 * written, so a registration is either VERIFIED or leaves nothing behind.
 *
 * The rules the table holds (and the model-based tests check after every step):
 *  - frozen stays frozen until UNFREEZE: no other event clears it, and no event removes a frozen
 *    account except the deletion of its whole tenant (API DELETE, organization removal: 409
 *    ACCOUNT_FROZEN; a stack's Delete answers SUCCESS and leaves it);
 *  - a stack message changes only its own stack's accounts; an organization only its own;
 *  - a DETACHED account (it left its organization) is brokered again only after it is registered
 *    again: verification and settings changes refuse it.
 */
export type LifecycleState = "ABSENT" | AccountStatus;

export type LifecycleEvent =
  /** POST .../accounts: register or re-register (re-verify) through the API. */
  | "API_REGISTER"
  /** PATCH .../accounts/{id}: new role ARN or regions, verified. */
  | "PATCH"
  /** POST .../verify succeeded / failed. */
  | "VERIFY_OK"
  | "VERIFY_FAILED"
  /** STS refused the role while brokering a session. */
  | "SESSION_DENIED"
  /** A tenant stack's custom resource. */
  | "STACK_CREATE"
  | "STACK_UPDATE"
  | "STACK_DELETE"
  /** An organization sync: a member in scope registered (new, or back after it left). */
  | "ORG_JOIN"
  /** An organization sync: a member it registered left, left the scope, or closed. */
  | "ORG_LEAVE"
  /** DELETE .../organization?removeAccounts=true, for each account the organization registered. */
  | "ORG_REMOVE"
  | "FREEZE"
  | "UNFREEZE"
  /** DELETE .../accounts/{id}. */
  | "DELETE"
  /** DELETE /v1/tenants/{id}: everything of the tenant goes (its audit stays). */
  | "TENANT_DELETE";

/** Who owns the account in a rule: its own stack or organization (`self`), or anyone. */
type Owner = "self" | "any";

interface Rule {
  from: readonly LifecycleState[];
  /** Only for the account's own stack or organization; default any. */
  owner?: Owner;
  /** Only when frozen (true) or not (false); default either. */
  frozen?: boolean;
  to?: LifecycleState | "SAME";
  /** Refused, with this code, instead of `to` (a more precise answer than the event's default). */
  refuse?: Refusal;
  /** The brake: set, cleared or (default) kept. */
  brake?: "SET" | "CLEAR";
  /** Allowed, but changes nothing (a stack's Delete of what it does not own). */
  noEffect?: true;
}

interface Refusal {
  refusal: Extract<RefusalKind, "not-found" | "conflict">;
  code: string;
}

const REGISTERED = ["VERIFIED", "FAILED", "DETACHED"] as const;
/** Every state, written out: a spread would keep the table in bundles that never use it. */
const ANY = ["ABSENT", "VERIFIED", "FAILED", "DETACHED"] as const;
const USABLE = ["VERIFIED", "FAILED"] as const;
const NOT_FOUND: Refusal = { refusal: "not-found", code: "ACCOUNT_NOT_FOUND" };

/**
 * Event -> the rules tried in order (the first that matches decides), and the refusal when none
 * matches. Kept small enough to read as the specification; test/fixtures/lifecycle-cases.json
 * spells out every (state, event) pair.
 */
export const LIFECYCLE: Record<
  LifecycleEvent,
  { rules: readonly Rule[]; otherwise: Refusal; absent?: Refusal }
> = {
  API_REGISTER: {
    rules: [{ from: ANY, to: "VERIFIED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_STATE_CONFLICT" },
  },
  PATCH: {
    rules: [{ from: USABLE, to: "VERIFIED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_DETACHED" },
    absent: NOT_FOUND,
  },
  VERIFY_OK: {
    rules: [{ from: USABLE, to: "VERIFIED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_DETACHED" },
    absent: NOT_FOUND,
  },
  VERIFY_FAILED: {
    rules: [{ from: USABLE, to: "FAILED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_DETACHED" },
    absent: NOT_FOUND,
  },
  SESSION_DENIED: {
    rules: [{ from: USABLE, to: "FAILED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_UNAVAILABLE" },
    absent: NOT_FOUND,
  },
  STACK_CREATE: {
    rules: [
      { from: ["ABSENT"], to: "VERIFIED" },
      // CloudFormation retries a Create it got no answer for.
      { from: REGISTERED, owner: "self", to: "VERIFIED" },
    ],
    otherwise: { refusal: "conflict", code: "ACCOUNT_ALREADY_REGISTERED" },
  },
  STACK_UPDATE: {
    rules: [{ from: REGISTERED, owner: "self", to: "VERIFIED" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_ALREADY_REGISTERED" },
    absent: { refusal: "conflict", code: "ACCOUNT_NOT_REGISTERED_BY_STACK" },
  },
  STACK_DELETE: {
    rules: [
      { from: REGISTERED, owner: "self", frozen: false, to: "ABSENT" },
      // Delete always succeeds, so that a stack can be deleted; it removes only its own account,
      // and never a frozen one (the brake policy attached to the role also stops IAM deleting it).
      { from: ANY, to: "SAME", noEffect: true },
    ],
    otherwise: { refusal: "conflict", code: "ACCOUNT_STATE_CONFLICT" },
  },
  ORG_JOIN: {
    rules: [
      { from: ["ABSENT"], to: "VERIFIED" },
      // Back in the organization (or the scope): registered again, its brake kept.
      { from: ["DETACHED"], to: "VERIFIED" },
    ],
    otherwise: { refusal: "conflict", code: "ACCOUNT_ALREADY_REGISTERED" },
  },
  ORG_LEAVE: {
    rules: [
      { from: USABLE, owner: "self", to: "DETACHED" },
      { from: ["DETACHED"], refuse: { refusal: "conflict", code: "ACCOUNT_DETACHED" } },
    ],
    otherwise: { refusal: "conflict", code: "ACCOUNT_NOT_REGISTERED_BY_ORGANIZATION" },
    absent: NOT_FOUND,
  },
  ORG_REMOVE: {
    rules: [
      { from: REGISTERED, owner: "self", frozen: false, to: "ABSENT" },
      { from: REGISTERED, owner: "self", refuse: { refusal: "conflict", code: "ACCOUNT_FROZEN" } },
    ],
    otherwise: { refusal: "conflict", code: "ACCOUNT_NOT_REGISTERED_BY_ORGANIZATION" },
    absent: NOT_FOUND,
  },
  FREEZE: {
    rules: [{ from: REGISTERED, to: "SAME", brake: "SET" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_STATE_CONFLICT" },
    absent: NOT_FOUND,
  },
  UNFREEZE: {
    rules: [{ from: REGISTERED, to: "SAME", brake: "CLEAR" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_STATE_CONFLICT" },
    absent: NOT_FOUND,
  },
  DELETE: {
    rules: [{ from: REGISTERED, frozen: false, to: "ABSENT" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_FROZEN" },
    absent: NOT_FOUND,
  },
  TENANT_DELETE: {
    rules: [{ from: ANY, to: "ABSENT" }],
    otherwise: { refusal: "conflict", code: "ACCOUNT_STATE_CONFLICT" },
  },
};

export const LIFECYCLE_EVENTS = /* @__PURE__ */ Object.keys(LIFECYCLE) as LifecycleEvent[];

/** What the table allows: the next state and brake, and whether anything changes at all. */
export interface Transition {
  allowed: true;
  from: LifecycleState;
  to: LifecycleState;
  frozen: boolean;
  /** False when the event is accepted but changes nothing (a stack's Delete of another's account). */
  effect: boolean;
}

export interface Refused extends Refusal {
  allowed: false;
  from: LifecycleState;
}

/** The lifecycle view of an account record (undefined: ABSENT). */
export function lifecycleState(account: Pick<Account, "status"> | undefined): LifecycleState {
  return account === undefined ? "ABSENT" : account.status;
}

function owns(source: AccountSource | undefined, by: AccountSource | undefined): boolean {
  if (source === undefined || by === undefined || source.kind !== by.kind) return false;
  if (by.kind === "cloudformation") return source.stackId === by.stackId;
  if (by.kind === "organization") return source.managementAccountId === by.managementAccountId;
  return true;
}

/**
 * The one decision: what `event` does to `account` (undefined: ABSENT), sent by `by` (the stack or
 * organization a message comes from; the API otherwise).
 */
export function decide(
  account: Pick<Account, "status" | "frozen" | "source"> | undefined,
  event: LifecycleEvent,
  by?: AccountSource,
): Transition | Refused {
  const from = lifecycleState(account);
  const frozen = account?.frozen !== undefined;
  const entry = LIFECYCLE[event];
  for (const rule of entry.rules) {
    if (!rule.from.includes(from)) continue;
    if (rule.frozen !== undefined && rule.frozen !== frozen) continue;
    if (rule.owner === "self" && !owns(account?.source, by)) continue;
    if (rule.refuse || rule.to === undefined) {
      return { allowed: false, from, ...(rule.refuse ?? entry.otherwise) };
    }
    const to = rule.to === "SAME" ? from : rule.to;
    const nextFrozen =
      to === "ABSENT"
        ? false
        : rule.brake === "SET"
          ? true
          : rule.brake === "CLEAR"
            ? false
            : frozen;
    return {
      allowed: true,
      from,
      to,
      frozen: nextFrozen,
      effect: !rule.noEffect,
    };
  }
  const refusal = from === "ABSENT" && entry.absent ? entry.absent : entry.otherwise;
  return { allowed: false, from, ...refusal };
}

/**
 * Why no session may be brokered for this account of this tenant, or undefined when one may.
 * Order matters to the caller only for which code it reports; all of them refuse.
 */
export function sessionBlocker(
  tenant: Pick<Tenant, "status" | "suspended"> | undefined,
  account: Pick<Account, "status" | "frozen"> | undefined,
):
  | "TENANT_NOT_FOUND"
  | "TENANT_SUSPENDED"
  | "ACCOUNT_NOT_FOUND"
  | "ACCOUNT_FROZEN"
  | "ACCOUNT_UNAVAILABLE"
  | undefined {
  if (tenant?.status !== "ACTIVE") return "TENANT_NOT_FOUND";
  if (tenant.suspended) return "TENANT_SUSPENDED";
  if (account === undefined) return "ACCOUNT_NOT_FOUND";
  if (account.frozen) return "ACCOUNT_FROZEN";
  if (account.status !== "VERIFIED") return "ACCOUNT_UNAVAILABLE";
  return undefined;
}

function describeSource(source: AccountSource | undefined): string {
  switch (source?.kind) {
    case "cloudformation":
      return "by another stack";
    case "organization":
      return "through an organization";
    case "api":
      return "through the API";
    default:
      return "already";
  }
}

const MESSAGES: Record<string, (accountId: string, account?: Pick<Account, "source">) => string> = {
  ACCOUNT_DETACHED: (id) =>
    `Account ${id} left its organization (DETACHED); register it again before it is verified or changed`,
  ACCOUNT_FROZEN: (id) =>
    `Account ${id} is frozen (emergency brake); only unfreeze changes that, so unfreeze it first`,
  ACCOUNT_ALREADY_REGISTERED: (id, account) =>
    `Account ${id} is registered ${describeSource(account?.source)}; a stack or organization registers only its own accounts`,
  ACCOUNT_NOT_REGISTERED_BY_STACK: (id) =>
    `Account ${id} is not registered by this stack; a stack update does not register accounts`,
  ACCOUNT_NOT_REGISTERED_BY_ORGANIZATION: (id) =>
    `Account ${id} was not registered by this organization`,
  ACCOUNT_UNAVAILABLE: (id) => `Account ${id} is not usable in its current state`,
};

/** `decide`, or the refusal as its error: AccountNotFoundError, or a ConflictError with the table's code. */
export function requireTransition(
  account: Pick<Account, "status" | "frozen" | "source"> | undefined,
  event: LifecycleEvent,
  accountId: string,
  by?: AccountSource,
): Transition {
  const decision = decide(account, event, by);
  if (decision.allowed) return decision;
  if (decision.refusal === "not-found") throw new AccountNotFoundError(accountId);
  const message =
    MESSAGES[decision.code]?.(accountId, account) ??
    `Account ${accountId} is ${decision.from}${account?.frozen ? " and frozen" : ""}; ${event} is not allowed`;
  throw new ConflictError(decision.code, message, {
    details: { state: decision.from, frozen: account?.frozen !== undefined, event },
  });
}
