import { RoleAccessError } from "../domain/errors";
import type { OrganizationMember } from "../domain/organization";
import { ServiceUnavailableError } from "../errors";
import type { AwsCredentials } from "../ports/accounts";
import type { Clock, Sleep } from "../ports/common";
import type { OrganizationPages } from "../ports/organizations";

/**
 * Where a walk of an organization is: which accounts it has listed, which parents' children it
 * still has to list, and which accounts are in scope so far. Plain data: saved between
 * invocations, the walk goes on from it.
 */
export interface WalkState {
  phase: "ACCOUNTS" | "SCOPE" | "DONE";
  /** ListAccounts' next page. */
  accountsToken?: string;
  members: OrganizationMember[];
  /** Scope only: the roots and OUs chosen (absent: the whole organization). */
  scope?: string[];
  /** ListChildren calls still to make (a parent, a child type, a page). */
  queue: { parent: string; type: "ACCOUNT" | "ORGANIZATIONAL_UNIT"; nextToken?: string }[];
  /** Parents already queued (an OU is listed once, however it is reached). */
  seen: string[];
  inScope: string[];
  /** Calls made (throttled ones included), and how many AWS throttled. */
  calls: number;
  throttled: number;
  /** When the last call was made (epoch ms): the pace holds across runs and invocations. */
  lastCallMs?: number;
  /** The wait before the next call after a refusal (doubling): kept across runs too. */
  backoffMs?: number;
}

export function startWalk(scope?: string[]): WalkState {
  const roots = scope?.length ? [...new Set(scope)] : undefined;
  return {
    phase: "ACCOUNTS",
    members: [],
    ...(roots ? { scope: roots } : {}),
    queue: (roots ?? []).flatMap((parent) => [
      { parent, type: "ACCOUNT" as const },
      { parent, type: "ORGANIZATIONAL_UNIT" as const },
    ]),
    seen: roots ?? [],
    inScope: [],
    calls: 0,
    throttled: 0,
  };
}

/**
 * Lists an organization's accounts (and, for a scoped connection, walks its chosen OUs down to
 * their accounts) one page at a time, paced below the Organizations API's rate, until a deadline:
 * then it returns where it is, and the next invocation goes on from there. A throttled call (or
 * one AWS could not answer: a 5xx, a reset connection) is retried after a backoff that doubles
 * (up to maxBackoffMs, kept in the state across runs); throttled ones are counted. Neither fails
 * the walk.
 * Calls: ceil(accounts / 20) pages of ListAccounts, plus, scoped, two ListChildren pages or more
 * per OU in scope, plus the throttled retries.
 */
export class OrganizationWalk {
  constructor(
    private readonly deps: {
      pages: OrganizationPages;
      clock: Clock;
      sleep: Sleep;
      /** Calls per second at most (ORGANIZATION_CALLS_PER_SECOND). */
      callsPerSecond: number;
      /** The longest wait after a throttled call. */
      maxBackoffMs: number;
    },
  ) {}

  /** Walks from `state` until done or `deadlineMs`; returns the new state (never mutates it). */
  async run(credentials: AwsCredentials, from: WalkState, deadlineMs: number): Promise<WalkState> {
    const state: WalkState = structuredClone(from);
    const interval = 1000 / this.deps.callsPerSecond;
    let lastCall = state.lastCallMs ?? Number.NEGATIVE_INFINITY;
    let backoff = state.backoffMs ?? 0;
    const call = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      for (;;) {
        const now = this.deps.clock.now().getTime();
        const at = Math.max(now, lastCall + interval) + backoff;
        if (at >= deadlineMs) return undefined;
        if (at > now) await this.deps.sleep(at - now);
        lastCall = this.deps.clock.now().getTime();
        state.lastCallMs = lastCall;
        state.calls += 1;
        try {
          const out = await fn();
          backoff = 0;
          delete state.backoffMs;
          return out;
        } catch (err) {
          const throttled = err instanceof RoleAccessError && err.code === "THROTTLED";
          // Throttled, or AWS unavailable for a moment (a 5xx, a reset connection): wait, retry.
          if (!throttled && !(err instanceof ServiceUnavailableError)) throw err;
          if (throttled) state.throttled += 1;
          backoff = Math.min(this.deps.maxBackoffMs, Math.max(interval, backoff * 2));
          state.backoffMs = backoff;
        }
      }
    };
    while (state.phase === "ACCOUNTS") {
      const page = await call(() => this.deps.pages.accountsPage(credentials, state.accountsToken));
      if (!page) return state;
      state.members.push(...page.members);
      if (page.nextToken) state.accountsToken = page.nextToken;
      else {
        delete state.accountsToken;
        state.phase = state.scope ? "SCOPE" : "DONE";
        if (!state.scope) state.inScope = state.members.map((m) => m.accountId);
      }
    }
    while (state.phase === "SCOPE") {
      const next = state.queue[0];
      if (!next) {
        state.phase = "DONE";
        break;
      }
      const page = await call(() =>
        this.deps.pages.childrenPage(credentials, next.parent, next.type, next.nextToken),
      );
      if (!page) return state;
      if (next.type === "ACCOUNT") state.inScope.push(...page.ids);
      else
        for (const ou of page.ids)
          if (!state.seen.includes(ou)) {
            state.seen.push(ou);
            state.queue.push(
              { parent: ou, type: "ACCOUNT" },
              { parent: ou, type: "ORGANIZATIONAL_UNIT" },
            );
          }
      if (page.nextToken) next.nextToken = page.nextToken;
      else state.queue.shift();
    }
    return state;
  }
}
