import { beforeEach, describe, expect, it } from "vitest";
import { BadRequestError } from "../../../shared/errors";
import type {
  SweepLink,
  SweepRecords,
  SweepRun,
  SweepSummary,
  SweepWorkerState,
} from "../../../shared/ports/health";
import {
  HealthSweepChain,
  SWEEP_SAFETY_MS,
  type SweepResult,
  type SweepRunOptions,
} from "../../../shared/services/health-sweep";
import { ManualClock } from "../../support/fakes";
import { MemoryMetrics } from "../../support/memory";

/**
 * The sweep's runs and workers, with each worker's sweep scripted and the table in memory (the
 * same conditions as DynamoHealthStore: test/integration/health.test.ts runs them on the emulator).
 */
class MemorySweepRecords implements SweepRecords {
  run: SweepRun | undefined;
  states = new Map<number, SweepWorkerState>();
  summaries: SweepSummary[] = [];
  async currentRun() {
    return this.run ? { ...this.run } : undefined;
  }
  async startRun(run: SweepRun, previous: string | undefined) {
    if (previous === undefined ? this.run !== undefined : this.run?.runId !== previous)
      return false;
    if (this.run && this.run.finishedAt === undefined) return false;
    this.run = { ...run };
    this.states = new Map(
      Array.from({ length: run.workers }, (_, w) => [
        w,
        { worker: w, runId: run.runId, leaseUntilMs: 0, seq: 0, done: false },
      ]),
    );
    return true;
  }
  async workers(runId: string) {
    return [...this.states.values()].filter((s) => s.runId === runId).map((s) => ({ ...s }));
  }
  async acquireWorker(
    runId: string,
    worker: number,
    holder: string,
    expectedSeq: number | undefined,
    now: number,
    until: number,
  ) {
    const s = this.states.get(worker);
    if (!s || s.runId !== runId || s.done) return undefined;
    const free = s.holder === undefined || s.leaseUntilMs < now;
    const next = expectedSeq !== undefined && s.holder === holder && s.seq === expectedSeq;
    if (!free && !next) return undefined;
    Object.assign(s, { holder, leaseUntilMs: until, seq: s.seq + 1 });
    return { ...s };
  }
  async saveWorker(state: SweepWorkerState & { holder: string }) {
    const s = this.states.get(state.worker);
    if (!s || s.runId !== state.runId || s.holder !== state.holder || s.seq !== state.seq)
      return false;
    if (s.done) return false;
    this.states.set(state.worker, { ...state });
    return true;
  }
  /** Fails the next finishRun calls (a crash between a worker's last save and the finish). */
  crashFinishes = 0;
  async finishRun(runId: string, summary: SweepSummary) {
    if (this.crashFinishes > 0) {
      this.crashFinishes -= 1;
      throw new Error("the invocation died");
    }
    if (this.run?.runId !== runId || this.run.finishedAt !== undefined) return false;
    this.run.finishedAt = summary.finishedAt;
    this.summaries.push(summary);
    return true;
  }
  async summary() {
    return this.summaries.at(-1);
  }
}

const result = (over: Partial<SweepResult>): SweepResult => ({
  checked: 10,
  changed: 1,
  skipped: 2,
  states: { HEALTHY: 7, DEGRADED: 2, UNHEALTHY: 1 },
  ...over,
});

let clock: ManualClock;
let records: MemorySweepRecords;
let continued: SweepLink[];
let runs: (SweepRunOptions & { worker?: number })[];
/** What each worker's next sweep run returns, in order. */
let scripted: Map<string, SweepResult[]>;
let metrics: MemoryMetrics;
let budgetTaken: number[];

const plan = { periodMinutes: 15, workers: 3, assumeRolePerSecond: 200, budgetShards: 4 };

function chain() {
  return new HealthSweepChain({
    sweep: {
      run: async (options) => {
        runs.push(options);
        // The sweep spends the budget once per check: a call of `pace` per check.
        await options.pace?.();
        clock.advance(60_000);
        const key = JSON.stringify(options.shards);
        return scripted.get(key)?.shift() ?? result({ checked: 0, changed: 0, skipped: 0 });
      },
    },
    records,
    clock,
    plan,
    shards: 16,
    callsPerCheck: 2,
    budget: (worker, _workers) => ({
      acquire: async () => {
        budgetTaken[worker] = (budgetTaken[worker] ?? 0) + 1;
      },
    }),
    metrics,
  });
}

let n = 0;
const invocation = (remainingMs = 900_000) => ({
  id: `inv-${++n}`,
  remainingMs,
  continuation: { continueWith: async (next: SweepLink) => void continued.push(next) },
});

/** Runs every queued link until none is left (the chain as Lambda would run it). */
async function drain() {
  const outcomes = [];
  while (continued.length > 0) {
    const link = continued.shift() as SweepLink;
    outcomes.push(await chain().runLink(link, invocation()));
  }
  return outcomes;
}

beforeEach(() => {
  clock = new ManualClock(new Date("2026-12-02T10:01:00.000Z"));
  records = new MemorySweepRecords();
  continued = [];
  runs = [];
  scripted = new Map();
  metrics = new MemoryMetrics();
  budgetTaken = [];
});

describe("HealthSweepChain", () => {
  it("the schedule starts the period's run with one chain per worker, each over its shards", async () => {
    const started = await chain().runLink({}, invocation());
    expect(started).toEqual({
      outcome: "STARTED",
      runId: "2026-12-02T10:00:00.000Z",
      workers: 3,
    });
    expect(continued).toEqual(
      [0, 1, 2].map((worker) => ({
        runId: "2026-12-02T10:00:00.000Z",
        worker,
        chain: expect.stringMatching(new RegExp(`/${worker}$`)),
      })),
    );
    await drain();
    expect(runs.map((r) => r.shards)).toEqual([
      [0, 3, 6, 9, 12, 15],
      [1, 4, 7, 10, 13],
      [2, 5, 8, 11, 14],
    ]);
    // Every account checked since the period's start is skipped by a resumed worker.
    expect(runs.every((r) => r.periodStart === "2026-12-02T10:00:00.000Z")).toBe(true);
    // Each worker paces its checks by the budget: two calls per check (the negative probe).
    expect(budgetTaken).toEqual([2, 2, 2]);
  });

  it("a worker runs until the safety margin, saves its position and totals, and the next link goes on from them", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([0, 3, 6, 9, 12, 15]), [
      result({ cursor: "c1", oldestCheck: "2026-12-02T09:45:00.000Z" }),
      result({}),
    ]);
    const first = continued.shift() as SweepLink;
    const linkStart = clock.now().getTime();
    const out = await chain().runLink(first, invocation(900_000));
    expect(runs[0]?.deadlineMs).toBe(linkStart + 900_000 - SWEEP_SAFETY_MS);
    expect(out).toMatchObject({ outcome: "CONTINUED", worker: 0, totals: { checked: 10 } });
    expect(records.states.get(0)).toMatchObject({ cursor: "c1", done: false });
    // The next link: the same worker, from the saved cursor, adding to the saved totals.
    expect(continued.at(-1)).toEqual({
      runId: first.runId,
      worker: 0,
      chain: first.chain,
      seq: 1,
    });
    const next = continued.pop() as SweepLink;
    const done = await chain().runLink(next, invocation());
    expect(runs[1]?.cursor).toBe("c1");
    expect(done).toMatchObject({ outcome: "WORKER_DONE", worker: 0, totals: { checked: 20 } });
  });

  it("the last worker to finish writes one summary of all of them, with the metrics", async () => {
    await chain().runLink({}, invocation());
    for (const shards of [
      [0, 3, 6, 9, 12, 15],
      [1, 4, 7, 10, 13],
      [2, 5, 8, 11, 14],
    ])
      scripted.set(JSON.stringify(shards), [result({ checked: shards.length })]);
    const outcomes = await drain();
    expect(outcomes.map((o) => o.outcome)).toEqual(["WORKER_DONE", "WORKER_DONE", "FINISHED"]);
    expect(records.summaries).toHaveLength(1);
    expect(records.summaries[0]).toMatchObject({
      startedAt: "2026-12-02T10:01:00.000Z",
      checked: 16,
      changed: 3,
      skipped: 6,
      states: { HEALTHY: 21, DEGRADED: 6, UNHEALTHY: 3 },
      durationMs: 180_000,
    });
    expect(metrics.total("SweepsCompleted")).toBe(1);
    expect(metrics.total("SweepOverrun")).toBe(0);
    // Once finished, the schedule skips the rest of the period and starts the next one.
    expect(await chain().runLink({}, invocation())).toMatchObject({ outcome: "SKIPPED" });
    clock.advance(15 * 60_000);
    expect(await chain().runLink({}, invocation())).toMatchObject({
      outcome: "STARTED",
      runId: "2026-12-02T10:15:00.000Z",
    });
  });

  it("a crashed worker is picked up by the next scheduled invocation, from its saved position", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([1, 4, 7, 10, 13]), [result({ cursor: "w1-c1" }), result({})]);
    const [w0, w1, w2] = continued.splice(0) as [SweepLink, SweepLink, SweepLink];
    // Worker 1's first link (2 minutes of time) saves a position and hands on; the next link
    // is lost (the invocation failed for good): nothing runs it.
    await chain().runLink(w1, invocation(120_000));
    const lost = continued.pop() as SweepLink;
    expect(lost).toMatchObject({ runId: "2026-12-02T10:00:00.000Z", worker: 1 });
    await chain().runLink(w0, invocation());
    await chain().runLink(w2, invocation());
    // While the lost link's lease runs, the schedule resumes nothing (never one worker twice).
    expect(await chain().runLink({}, invocation())).toMatchObject({
      outcome: "RESUMED",
      resumed: [],
    });
    clock.advance(2 * 60_000);
    expect(await chain().runLink({}, invocation())).toMatchObject({
      outcome: "RESUMED",
      resumed: [1],
      overrun: false,
    });
    const outcomes = await drain();
    expect(runs.at(-1)?.cursor).toBe("w1-c1");
    expect(outcomes.at(-1)).toMatchObject({ outcome: "FINISHED" });
    expect(records.summaries[0]?.checked).toBe(20);
    // The lost link, delivered late after all: its lease is gone, it does nothing.
    expect(await chain().runLink(lost, invocation())).toMatchObject({ outcome: "SKIPPED" });
  });

  it("says when a sweep overruns: the budget cannot cover the last count, or a run outlives its period", async () => {
    // 200 AssumeRole/s, 2 per check: 100 checks/s, 90,000 in 15 minutes. The last sweep saw 100,000.
    records.summaries.push({
      startedAt: "2026-12-02T09:45:00.000Z",
      finishedAt: "2026-12-02T09:59:00.000Z",
      durationMs: 840_000,
      checked: 99_000,
      changed: 0,
      skipped: 1_000,
      states: { HEALTHY: 99_000, DEGRADED: 0, UNHEALTHY: 0 },
    });
    const started = await chain().runLink({}, invocation());
    expect(started).toMatchObject({ outcome: "STARTED" });
    expect((started as { capacityRatio: number }).capacityRatio).toBeCloseTo(100_000 / 90_000, 5);
    expect(metrics.total("SweepOverrun", { reason: "budget" })).toBe(1);
    // Still running when the next period starts: no second run, an overrun.
    clock.advance(15 * 60_000);
    expect(await chain().runLink({}, invocation())).toMatchObject({
      outcome: "RESUMED",
      runId: "2026-12-02T10:00:00.000Z",
      overrun: true,
    });
    expect(metrics.total("SweepOverrun", { reason: "running" })).toBe(1);
    // It finishes late: said once more.
    await drain();
    expect(metrics.total("SweepOverrun", { reason: "late" })).toBe(1);
  });

  it("refuses links that are not of the current run, or name no worker of it", async () => {
    await chain().runLink({}, invocation());
    const cases: SweepLink[] = [
      { runId: "2026-12-02T09:45:00.000Z", worker: 0 },
      { runId: "2026-12-02T10:00:00.000Z", worker: 3 },
      { runId: "2026-12-02T10:00:00.000Z", worker: -1 },
      { runId: "2026-12-02T10:00:00.000Z", worker: 0.5 },
    ];
    for (const link of cases)
      expect(await chain().runLink(link, invocation()), JSON.stringify(link)).toMatchObject({
        outcome: "SKIPPED",
      });
    expect(runs).toEqual([]);
  });

  it("two links of one worker at once: the second is refused while the first holds the lease", async () => {
    await chain().runLink({}, invocation());
    const link = continued[0] as SweepLink;
    await records.acquireWorker(
      "2026-12-02T10:00:00.000Z",
      0,
      "other",
      undefined,
      0,
      Number.MAX_SAFE_INTEGER,
    );
    expect(await chain().runLink(link, invocation())).toMatchObject({ outcome: "SKIPPED" });
    expect(runs).toEqual([]);
  });

  it("a link delivered twice runs once: the second finds the lease moved on", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([0, 3, 6, 9, 12, 15]), [result({ cursor: "c1" }), result({})]);
    await chain().runLink(continued.shift() as SweepLink, invocation());
    const next = continued.pop() as SweepLink;
    expect(next.seq).toBe(1);
    const first = await chain().runLink(next, invocation());
    expect(first).toMatchObject({ outcome: "WORKER_DONE", worker: 0 });
    // Lambda delivers the same event again (at least once): nothing runs.
    const runsBefore = runs.length;
    expect(await chain().runLink(next, invocation())).toMatchObject({ outcome: "SKIPPED" });
    expect(runs.length).toBe(runsBefore);
  });

  it("a run whose last worker died before finishing it is finished by the schedule", async () => {
    await chain().runLink({}, invocation());
    records.crashFinishes = 1;
    const links = continued.splice(0);
    await chain().runLink(links[0] as SweepLink, invocation());
    await chain().runLink(links[1] as SweepLink, invocation());
    await expect(chain().runLink(links[2] as SweepLink, invocation())).rejects.toThrow("died");
    expect([...records.states.values()].every((w) => w.done)).toBe(true);
    expect(records.run?.finishedAt).toBeUndefined();
    // Lambda's retry of the last link: the worker is done, nothing to take.
    expect(await chain().runLink(links[2] as SweepLink, invocation())).toMatchObject({
      outcome: "SKIPPED",
    });
    // The next scheduled invocation finishes the run, and the one after starts the next period.
    expect(await chain().runLink({}, invocation())).toMatchObject({ outcome: "FINISHED" });
    expect(records.summaries).toHaveLength(1);
    clock.advance(15 * 60_000);
    expect(await chain().runLink({}, invocation())).toMatchObject({ outcome: "STARTED" });
  });

  it("a run started under another shard count goes on from the start of the worker's shards", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([0, 3, 6, 9, 12, 15]), [result({ cursor: "sealed-for-16" })]);
    await chain().runLink(continued.shift() as SweepLink, invocation());
    const next = continued.pop() as SweepLink;
    // INDEX_SHARDS moved to 8 (a deploy with the backfill) while the run was going.
    const reshaped = new HealthSweepChain({
      sweep: {
        run: async (options) => {
          runs.push(options);
          return result({});
        },
      },
      records,
      clock,
      plan,
      shards: 8,
      callsPerCheck: 2,
      budget: () => ({ acquire: async () => {} }),
      metrics,
    });
    expect(await reshaped.runLink(next, invocation())).toMatchObject({ outcome: "WORKER_DONE" });
    expect(runs.at(-1)?.cursor).toBeUndefined();
    expect(runs.at(-1)?.shards).toEqual([0, 3, 6]);
  });

  it("a saved position the pager refuses (a replaced cursor key) starts the worker's shards again", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([0, 3, 6, 9, 12, 15]), [result({ cursor: "old-key" })]);
    await chain().runLink(continued.shift() as SweepLink, invocation());
    const next = continued.pop() as SweepLink;
    const refusing = new HealthSweepChain({
      sweep: {
        run: async (options) => {
          runs.push(options);
          if (options.cursor)
            throw new BadRequestError("INVALID_NEXT_TOKEN", "not a token this list issued");
          return result({});
        },
      },
      records,
      clock,
      plan,
      shards: 16,
      callsPerCheck: 2,
      budget: () => ({ acquire: async () => {} }),
      metrics,
    });
    expect(await refusing.runLink(next, invocation())).toMatchObject({ outcome: "WORKER_DONE" });
    expect(runs.slice(-2).map((r) => r.cursor)).toEqual(["old-key", undefined]);
  });

  it("a link that stopped before its first page (no cursor, incomplete) is not done", async () => {
    await chain().runLink({}, invocation());
    scripted.set(JSON.stringify([0, 3, 6, 9, 12, 15]), [
      result({ checked: 0, incomplete: true }),
      result({}),
    ]);
    const out = await chain().runLink(continued.shift() as SweepLink, invocation());
    expect(out).toMatchObject({ outcome: "CONTINUED", worker: 0 });
    expect(records.states.get(0)?.done).toBe(false);
  });
});
