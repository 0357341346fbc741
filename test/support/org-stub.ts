import { RoleAccessError } from "../../shared/domain/errors";
import type { OrganizationMember } from "../../shared/domain/organization";
import type { Clock } from "../../shared/ports/common";
import type { OrganizationPages } from "../../shared/ports/organizations";
import { OrganizationWalk } from "../../shared/services/organization-walk";
import { ManualClock } from "./fakes";

/**
 * A large organization behind the OrganizationPages port, for the walk's tests and the bench:
 * a root, `ous` OUs in `levels` levels (each level's OUs spread over the level above), `accounts`
 * accounts spread round-robin over the root and every OU, every fiftieth one SUSPENDED. Pages of
 * 20 (as ListAccounts and ListChildren give at most). Throttling as AWS does it: a token bucket
 * of `apiRate` calls a second (burst `apiBurst`) on the given clock; an empty bucket answers
 * TooManyRequestsException (a RoleAccessError THROTTLED at the port). Deterministic.
 */
export class StubOrganization implements OrganizationPages {
  readonly root = "r-stub";
  readonly members: OrganizationMember[] = [];
  /** Children of each parent (root or OU), by type. */
  readonly accountsOf = new Map<string, string[]>();
  readonly ousOf = new Map<string, string[]>();
  readonly levelOf = new Map<string, number>();
  calls = { accounts: 0, children: 0, throttled: 0 };
  private tokens: number;
  private last: number;

  constructor(
    private readonly shape: {
      accounts: number;
      ous: number;
      levels: number;
      apiRate: number;
      apiBurst: number;
      clock: Clock;
    },
  ) {
    this.tokens = shape.apiBurst;
    this.last = shape.clock.now().getTime();
    // OUs per level: as even as it goes, at least one per level.
    const perLevel = Array.from(
      { length: shape.levels },
      (_, l) => Math.floor(shape.ous / shape.levels) + (l < shape.ous % shape.levels ? 1 : 0),
    );
    let above = [this.root];
    this.levelOf.set(this.root, 0);
    let n = 0;
    for (let level = 1; level <= shape.levels; level++) {
      const here: string[] = [];
      for (let i = 0; i < (perLevel[level - 1] ?? 0); i++) {
        const ou = `ou-stub-${String(n++).padStart(8, "0")}`;
        const parent = above[i % above.length] as string;
        this.push(this.ousOf, parent, ou);
        this.levelOf.set(ou, level);
        here.push(ou);
      }
      above = here;
    }
    const parents = [...this.levelOf.keys()];
    for (let i = 0; i < shape.accounts; i++) {
      const accountId = String(300_000_000_000 + i);
      this.members.push({ accountId, state: i % 50 === 49 ? "SUSPENDED" : "ACTIVE" });
      this.push(this.accountsOf, parents[i % parents.length] as string, accountId);
    }
  }

  private push(map: Map<string, string[]>, key: string, value: string) {
    const list = map.get(key) ?? [];
    list.push(value);
    map.set(key, list);
  }

  /**
   * The calls a walk needs with no throttling: pages of 20 of ListAccounts and, walked from the
   * root, of ListChildren (both types) for every parent, at least one page each.
   */
  pageCalls(fromRoot: boolean): number {
    const pages = (n: number) => Math.max(1, Math.ceil(n / 20));
    const children = [...this.levelOf.keys()].reduce(
      (sum, p) =>
        sum + pages(this.accountsOf.get(p)?.length ?? 0) + pages(this.ousOf.get(p)?.length ?? 0),
      0,
    );
    return pages(this.members.length) + (fromRoot ? children : 0);
  }

  /** Every account under `parent`, its child OUs' included. */
  under(parent: string): string[] {
    return [
      ...(this.accountsOf.get(parent) ?? []),
      ...(this.ousOf.get(parent) ?? []).flatMap((ou) => this.under(ou)),
    ];
  }

  /** The OUs under `parent`, itself included. */
  subtree(parent: string): string[] {
    return [parent, ...(this.ousOf.get(parent) ?? []).flatMap((ou) => this.subtree(ou))];
  }

  private take() {
    const now = this.shape.clock.now().getTime();
    this.tokens = Math.min(
      this.shape.apiBurst,
      this.tokens + ((now - this.last) * this.shape.apiRate) / 1000,
    );
    this.last = now;
    if (this.tokens < 1) {
      this.calls.throttled += 1;
      throw new RoleAccessError("THROTTLED", "TooManyRequestsException: Rate exceeded");
    }
    this.tokens -= 1;
  }

  private page<T>(all: T[], nextToken: string | undefined) {
    const start = nextToken === undefined ? 0 : Number(nextToken);
    const items = all.slice(start, start + 20);
    const next = start + 20 < all.length ? String(start + 20) : undefined;
    return { items, ...(next ? { nextToken: next } : {}) };
  }

  async accountsPage(_credentials: unknown, nextToken?: string) {
    this.calls.accounts += 1;
    this.take();
    const { items, ...rest } = this.page(this.members, nextToken);
    return { members: items, ...rest };
  }

  async childrenPage(
    _credentials: unknown,
    parentId: string,
    type: "ACCOUNT" | "ORGANIZATIONAL_UNIT",
    nextToken?: string,
  ) {
    this.calls.children += 1;
    this.take();
    if (!this.levelOf.has(parentId))
      throw new RoleAccessError("ACCESS_DENIED", `ParentNotFoundException: ${parentId}`);
    const all = (type === "ACCOUNT" ? this.accountsOf : this.ousOf).get(parentId) ?? [];
    const { items, ...rest } = this.page(all, nextToken);
    return { ids: items, ...rest };
  }
}

/**
 * The issue's organization: 5,000 accounts, 300 OUs, 5 levels; the API at 2 calls a second,
 * burst 5; on a manual clock.
 */
export function issueOrganization() {
  const clock = new ManualClock(new Date("2026-12-03T10:00:00.000Z"));
  const org = new StubOrganization({
    accounts: 5_000,
    ous: 300,
    levels: 5,
    apiRate: 2,
    apiBurst: 5,
    clock,
  });
  return { clock, org };
}

/**
 * The issue's organization and a walk over it paced at `callsPerSecond`, in virtual time: a
 * sleep moves the clock.
 */
export function stubOrganizationWalk(callsPerSecond: number) {
  const { clock, org } = issueOrganization();
  const walk = new OrganizationWalk({
    pages: org,
    clock,
    sleep: async (ms) => clock.advance(ms),
    callsPerSecond,
    maxBackoffMs: 8_000,
  });
  return { clock, org, walk };
}
