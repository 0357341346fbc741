import { beforeEach, describe, expect, it } from "vitest";
import type { SweepLink, SweepRecords, SweepSummary } from "../../../shared/ports";
import {
  addToTotals,
  HealthSweepChain,
  SWEEP_SAFETY_MS,
  type SweepResult,
} from "../../../shared/services/health-sweep";
import { ManualClock } from "../../support/fakes";
import { MemoryMetrics } from "../../support/memory";

/** The sweep's chain of invocations, with the sweep's runs scripted and the table in memory. */
const run = (over: Partial<SweepResult>): SweepResult => ({
  checked: 10,
  changed: 1,
  skipped: 2,
  states: { HEALTHY: 7, DEGRADED: 2, UNHEALTHY: 1 },
  ...over,
});

let clock: ManualClock;
let lease: { sweepId: string; until: number } | undefined;
let summaries: SweepSummary[];
let continued: SweepLink[];
let runs: { cursor?: string; deadlineMs: number }[];
let scripted: SweepResult[];
let metrics: MemoryMetrics;

const records: SweepRecords = {
  acquireLease: async (sweepId, nowMs, untilMs) => {
    if (lease && lease.sweepId !== sweepId && lease.until > nowMs) return false;
    lease = { sweepId, until: untilMs };
    return true;
  },
  releaseLease: async (sweepId) => {
    if (lease?.sweepId === sweepId) lease = undefined;
  },
  writeSummary: async (s) => void summaries.push(s),
};

function chain() {
  return new HealthSweepChain({
    sweep: {
      run: async (options) => {
        runs.push(options);
        clock.advance(60_000);
        return scripted.shift() as SweepResult;
      },
    },
    records,
    clock,
    metrics,
  });
}
const invocation = (id: string) => ({
  id,
  remainingMs: 900_000,
  continuation: { continueWith: async (next: SweepLink) => void continued.push(next) },
});

beforeEach(() => {
  clock = new ManualClock(new Date("2026-12-02T10:00:00.000Z"));
  lease = undefined;
  summaries = [];
  continued = [];
  runs = [];
  scripted = [];
  metrics = new MemoryMetrics();
});

describe("HealthSweepChain", () => {
  it("runs until the safety margin, hands on its cursor and totals, and the last link sums up", async () => {
    scripted = [run({ cursor: "c1", oldestCheck: "2026-12-02T09:45:00.000Z" }), run({})];
    const first = await chain().runLink({}, invocation("inv-1"));
    expect(runs[0]?.deadlineMs).toBe(
      Date.parse("2026-12-02T10:00:00.000Z") + 900_000 - SWEEP_SAFETY_MS,
    );
    expect(first.outcome).toBe("CONTINUED");
    expect(continued).toEqual([
      {
        cursor: "c1",
        sweepId: "inv-1",
        startedAt: "2026-12-02T10:00:00.000Z",
        totals: run({ oldestCheck: "2026-12-02T09:45:00.000Z" }),
      },
    ]);
    // The next link: same sweep, renews the lease, picks up at the cursor.
    const last = await chain().runLink(continued[0] as SweepLink, invocation("inv-2"));
    expect(runs[1]?.cursor).toBe("c1");
    expect(last.outcome).toBe("FINISHED");
    expect(summaries).toEqual([
      {
        startedAt: "2026-12-02T10:00:00.000Z",
        finishedAt: "2026-12-02T10:02:00.000Z",
        durationMs: 120_000,
        checked: 20,
        changed: 2,
        skipped: 4,
        states: { HEALTHY: 14, DEGRADED: 4, UNHEALTHY: 2 },
        oldestCheck: "2026-12-02T09:45:00.000Z",
      },
    ]);
    expect(lease).toBeUndefined(); // released: the next scheduled sweep may start
    // Only the finished sweep is reported: once, with its whole duration.
    expect(metrics.emitted).toEqual([
      { name: "SweepsCompleted", value: 1, dimensions: {} },
      { name: "SweepDuration", value: 120_000, dimensions: {} },
    ]);
  });

  it("skips its turn while another sweep's lease holds, and checks nothing", async () => {
    scripted = [run({ cursor: "c1" })];
    await chain().runLink({}, invocation("inv-1"));
    const second = await chain().runLink({}, invocation("inv-scheduled"));
    expect(second).toEqual({ outcome: "SKIPPED" });
    expect(runs).toHaveLength(1);
  });

  it("takes over once a crashed chain's lease has expired", async () => {
    scripted = [run({ cursor: "c1" }), run({})];
    await chain().runLink({}, invocation("inv-1")); // its continuation is lost
    clock.advance(900_000 + 60_000);
    const next = await chain().runLink({}, invocation("inv-scheduled"));
    expect(next.outcome).toBe("FINISHED");
    expect(runs[1]?.cursor).toBeUndefined(); // a new sweep starts from the beginning
  });

  it("keeps the oldest check seen across links", () => {
    const a = addToTotals(undefined, run({ oldestCheck: "2026-12-02T09:00:00.000Z" }));
    expect(addToTotals(a, run({ oldestCheck: "2026-12-02T08:00:00.000Z" })).oldestCheck).toBe(
      "2026-12-02T08:00:00.000Z",
    );
    expect(addToTotals(a, run({})).oldestCheck).toBe("2026-12-02T09:00:00.000Z");
  });
});
