import { beforeEach, describe, expect, it } from "vitest";
import type { AccountHealth } from "../../../shared/domain/health";
import type { HealthSweepPorts, SweptAccount } from "../../../shared/ports/health";
import { HealthSweep } from "../../../shared/services/health-sweep";
import { RoleVerifier } from "../../../shared/services/role-verifier";
import { anAccount, aTenant } from "../../support/domain";
import { ManualClock } from "../../support/fakes";
import { FakeTenantRoleGateway, MemoryMetrics } from "../../support/memory";
import { trustPolicy } from "../../support/tenant-account";

const policy = trustPolicy("cpx-t");
const tenant = aTenant({
  externalId: { current: "cpx-t", currentSince: "2026-11-23T09:00:00.000Z" },
});
const account = (i: number): SweptAccount => anAccount(String(100000000000 + i));

/** In-memory ports (the sweep's own interfaces), recording what the sweep did. */
class Ports implements HealthSweepPorts {
  health = new Map<string, AccountHealth>();
  events: { accountId: string; to: string; reason: string }[] = [];
  tenantReads = 0;
  deleted = new Set<string>();
  /** Accounts handed to the sweep but not recorded yet, at each page read. */
  heldAtPageRead: number[] = [];
  private handedOut = 0;
  failRecord?: Error;
  constructor(private readonly all: SweptAccount[]) {}
  async accounts(cursor: string | undefined, limit: number) {
    const start = cursor ? Number(cursor) : 0;
    const items = this.all
      .slice(start, start + limit)
      .map((a) => ({ ...a, health: this.health.get(a.accountId) }));
    this.heldAtPageRead.push(this.handedOut - this.health.size);
    this.handedOut += items.length;
    const next = start + limit < this.all.length ? String(start + limit) : undefined;
    return { items, ...(next ? { nextCursor: next } : {}) };
  }
  async tenant() {
    this.tenantReads += 1;
    return tenant;
  }
  async record(a: SweptAccount, h: AccountHealth) {
    if (this.failRecord) throw this.failRecord;
    if (this.deleted.has(a.accountId)) return false;
    this.health.set(a.accountId, h);
    return true;
  }
  async publish(changes: { accountId: string; to: string; reason: string }[]) {
    this.events.push(...changes.map(({ accountId, to, reason }) => ({ accountId, to, reason })));
  }
}

let clock: ManualClock;
let metrics: MemoryMetrics;
/** The tenant accounts' STS and IAM: every account's role trusts the control plane with cpx-t. */
let roles: FakeTenantRoleGateway;
let inFlight = 0;
let maxInFlight = 0;
const assumeCalls = () => roles.assumed.length;
function sweep(ports: Ports, concurrency = 4, checksPerSecond?: number) {
  const verifier = new RoleVerifier({
    gateway: roles,
    clock,
    sleep: async () => undefined,
    principal: { partition: "aws", accountId: "123456789012" },
    retryBudgetMs: 0,
    negativeProbe: false,
    defaultRegion: "us-east-1",
  });
  return new HealthSweep({
    ports,
    verifier,
    clock,
    concurrency,
    ...(checksPerSecond ? { checksPerSecond } : {}),
    pageSize: 5,
    unhealthyAfter: 3,
    metrics,
  });
}

beforeEach(() => {
  clock = new ManualClock();
  metrics = new MemoryMetrics();
  roles = new FakeTenantRoleGateway(clock);
  for (let i = 0; i < 60; i++) roles.role(account(i).roleArn, { trustPolicy: policy });
  inFlight = 0;
  maxInFlight = 0;
  // Every AssumeRole takes 2 ms: checks overlap, so the concurrency bound is observable.
  roles.beforeCall = async (operation) => {
    if (operation !== "assumeRole") return;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight -= 1;
  };
});

describe("HealthSweep", () => {
  it("checks every account page by page at bounded concurrency, reading each tenant once", async () => {
    const ports = new Ports(Array.from({ length: 23 }, (_, i) => account(i)));
    const result = await sweep(ports, 4).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(result).toEqual({
      checked: 23,
      changed: 23,
      skipped: 0,
      states: { HEALTHY: 23, DEGRADED: 0, UNHEALTHY: 0 },
    });
    expect(assumeCalls()).toBe(23);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(ports.tenantReads).toBe(1);
    expect(new Set(ports.events.map((e) => e.to))).toEqual(new Set(["HEALTHY"]));
  });

  it("announces a change once: a deleted role becomes UNHEALTHY, and stays so silently", async () => {
    const ports = new Ports([account(0)]);
    await sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    // IAM no longer finds the role (NoSuchEntity on GetRole).
    roles.fail("roleTrustPolicy", "ROLE_NOT_FOUND");
    await sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    await sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(ports.events).toEqual([
      { accountId: "100000000000", to: "HEALTHY", reason: "CHECK_PASSED" },
      { accountId: "100000000000", to: "UNHEALTHY", reason: "ROLE_NOT_FOUND" },
    ]);
    expect(ports.health.get("100000000000")).toMatchObject({
      state: "UNHEALTHY",
      consecutiveFailures: 2,
      lastErrorCode: "ROLE_NOT_FOUND",
    });
  });

  it("throttling degrades, never makes an account UNHEALTHY", async () => {
    roles.fail("assumeRole", "THROTTLED");
    const ports = new Ports([account(0)]);
    for (let i = 0; i < 5; i++) await sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(ports.health.get("100000000000")).toMatchObject({
      state: "DEGRADED",
      consecutiveFailures: 5,
    });
    expect(ports.events.map((e) => e.to)).toEqual(["DEGRADED"]);
  });

  it("reports the checks by state and the throttled AssumeRoles", async () => {
    roles.fail("assumeRole", "THROTTLED", 2);
    const ports = new Ports(Array.from({ length: 5 }, (_, i) => account(i)));
    await sweep(ports, 1).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(metrics.total("HealthChecks", { state: "HEALTHY" })).toBe(3);
    expect(metrics.total("HealthChecks", { state: "DEGRADED" })).toBe(2);
    expect(metrics.total("AssumeRoleThrottled", { caller: "sweep" })).toBe(2);
  });

  it("an account deleted mid-sweep stays deleted: nothing stored, nothing announced", async () => {
    const ports = new Ports([account(0), account(1)]);
    ports.deleted.add("100000000001");
    const result = await sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(result).toMatchObject({ checked: 2, changed: 1, skipped: 1 });
    expect(ports.health.has("100000000001")).toBe(false);
    expect(ports.events.map((e) => e.accountId)).toEqual(["100000000000"]);
  });

  it("stops at its deadline without starting queued checks; a run from its cursor checks the rest, none twice in the period", async () => {
    const ports = new Ports(Array.from({ length: 30 }, (_, i) => account(i)));
    const s = sweep(ports);
    const periodStart = clock.now().toISOString();
    const deadline = clock.now().getTime() + 1000;
    // Every check takes 300 ms of (manual) time: the deadline passes during the first pages.
    roles.beforeCall = (operation) => {
      if (operation === "callerIdentity") clock.advance(300);
    };
    const first = await s.run({ deadlineMs: deadline, periodStart });
    expect(first.incomplete).toBe(true);
    expect(first.checked).toBeGreaterThan(0);
    expect(first.checked).toBeLessThan(30);
    expect(ports.health.size).toBe(first.checked);
    // The cursor is the start of the first page with an account not checked: pages of 5.
    const from = Number(first.cursor ?? 0);
    expect(from).toBe(Math.floor(first.checked / 5) * 5);
    const rest = await s.run({
      ...(first.cursor ? { cursor: first.cursor } : {}),
      deadlineMs: Number.MAX_SAFE_INTEGER,
      periodStart,
    });
    expect(rest.checked).toBe(30 - first.checked);
    // The accounts of that page checked by the first run are skipped, not checked again.
    expect(rest.skipped).toBe(first.checked - from);
    expect(rest.cursor).toBeUndefined();
    expect(rest.incomplete).toBeUndefined();
    expect(ports.health.size).toBe(30);
    expect(assumeCalls()).toBe(30);
  });

  it("a run whose deadline has already passed checks nothing and says it is not done", async () => {
    const ports = new Ports(Array.from({ length: 7 }, (_, i) => account(i)));
    const result = await sweep(ports).run({ deadlineMs: clock.now().getTime() - 1 });
    expect(result).toMatchObject({ checked: 0, incomplete: true });
    expect(result.cursor).toBeUndefined();
    expect(assumeCalls()).toBe(0);
  });

  it("never holds more than two pages of accounts, however many there are", async () => {
    const ports = new Ports(Array.from({ length: 60 }, (_, i) => account(i)));
    const result = await sweep(ports, 2).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(result.checked).toBe(60);
    // pageSize 5: at each page read, at most the previous two pages are still unrecorded.
    expect(ports.heldAtPageRead).toHaveLength(12);
    expect(Math.max(...ports.heldAtPageRead)).toBeLessThanOrEqual(10);
  });

  it("starts at most checksPerSecond checks in any second (the AssumeRole rate)", async () => {
    const starts: number[] = [];
    roles.beforeCall = (operation) => {
      if (operation === "assumeRole") starts.push(performance.now());
    };
    const ports = new Ports(Array.from({ length: 25 }, (_, i) => account(i)));
    // 100 per second: at most 10 in any sliding 100 ms window.
    const result = await sweep(ports, 25, 100).run({ deadlineMs: Number.MAX_SAFE_INTEGER });
    expect(result.checked).toBe(25);
    // 25 starts at 10 ms apart span 240 ms; no 100 ms window holds more than 10 (one more for
    // the millisecond clock p-throttle spaces them by). Unthrottled, all 25 start at once.
    const inAnyWindow = Math.max(
      ...starts.map((t) => starts.filter((u) => u >= t && u < t + 99).length),
    );
    expect(inAnyWindow).toBeLessThanOrEqual(11);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(220);
  });

  it("a failed write ends the run with that error once the checks in flight finish", async () => {
    const ports = new Ports(Array.from({ length: 20 }, (_, i) => account(i)));
    ports.failRecord = new Error("DynamoDB is down");
    await expect(sweep(ports).run({ deadlineMs: Number.MAX_SAFE_INTEGER })).rejects.toThrow(
      "DynamoDB is down",
    );
    expect(ports.events).toEqual([]);
    // It stopped reading pages at the failure rather than checking everything.
    expect(assumeCalls()).toBeLessThan(20);
  });
});
