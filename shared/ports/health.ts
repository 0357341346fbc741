/** The ports of the health area: the sweep's reads and records, its chain and its AssumeRole budget. */
import type { Account } from "../domain/account";
import type { AccountHealth, HealthChange } from "../domain/health";
import type { Tenant } from "../domain/tenant";
import type { Page } from "./common";

/** An account as the sweep reads it from the accounts index, with its current health. */
export type SweptAccount = Account & { health?: AccountHealth };

export interface HealthSweepPorts {
  /**
   * One page of the registered accounts in `shards` of the accounts index (all of them when
   * absent): a Query per shard, never a Scan.
   */
  accounts(
    cursor: string | undefined,
    limit: number,
    shards?: number[],
  ): Promise<Page<SweptAccount>>;
  tenant(tenantId: string): Promise<Tenant | undefined>;
  /**
   * Stores the new health (and the external ID the role accepted, when the check got that far)
   * only if the account is still the one that was checked (same role, not deleted, not
   * re-registered since); false when it was not stored.
   */
  record(
    account: SweptAccount,
    health: AccountHealth,
    acceptedExternalId?: string,
    /** Stored only if the account was not checked since (once per period). */
    notCheckedSince?: string,
  ): Promise<boolean>;
  /** Announces state changes (one event each). */
  publish(changes: HealthStateChange[]): Promise<void>;
}

export type HealthStateChange = HealthChange & { tenantId: string; accountId: string; at: string };

/** The last completed sweep (all the invocations of its chain together). */
export interface SweepSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  checked: number;
  changed: number;
  skipped: number;
  states: Record<"HEALTHY" | "DEGRADED" | "UNHEALTHY", number>;
  oldestCheck?: string;
}

/** The totals a chain carries from one invocation to the next. */
export type SweepTotals = Omit<SweepSummary, "startedAt" | "finishedAt" | "durationMs">;

/**
 * One invocation of the sweep function: the schedule's (no worker: start the period's sweep, or
 * resume its crashed workers), or one link of a worker's chain. Where a worker is, and what it
 * counted, lives in the table (SweepWorkerState), not in the event.
 */
export interface SweepLink {
  runId?: string;
  worker?: number;
  /** The worker chain's lease holder, passed from link to link (a resumed chain gets a new one). */
  chain?: string;
  /**
   * The lease's sequence number the link expects (its predecessor's): each link takes the lease
   * by moving it on, so a link delivered twice runs once.
   */
  seq?: number;
}

/** A sweep: one per period, its id the period's start. */
export interface SweepRun {
  runId: string;
  startedAt: string;
  workers: number;
  shards: number;
  finishedAt?: string;
}

/** A worker's lease, position and totals. */
export interface SweepWorkerState {
  worker: number;
  runId: string;
  /** The chain holding the lease, until leaseUntilMs. */
  holder?: string;
  leaseUntilMs: number;
  /** Moved on by every take of the lease (fencing: a stale or repeated link is refused). */
  seq: number;
  /** Where the next link starts (absent: at the start of the worker's shards). */
  cursor?: string;
  done: boolean;
  totals?: SweepTotals;
}

/** The current sweep, its workers and the summary of the last one (in the table). */
export interface SweepRecords {
  currentRun(): Promise<SweepRun | undefined>;
  /**
   * Starts `run` with its workers at the beginning, if the current run is still `previousRunId`
   * (none: undefined) and finished: false when another start got there first.
   */
  startRun(run: SweepRun, previousRunId: string | undefined): Promise<boolean>;
  workers(runId: string): Promise<SweepWorkerState[]>;
  /**
   * Takes worker `worker`'s lease of run `runId` until `untilMs` for chain `holder`, moving its
   * sequence number on: when the lease is free or expired, or when `holder` holds it at sequence
   * `expectedSeq` (the chain's next link). Undefined when the worker is done, another chain holds
   * it, or the link is stale or repeated.
   */
  acquireWorker(
    runId: string,
    worker: number,
    holder: string,
    expectedSeq: number | undefined,
    nowMs: number,
    untilMs: number,
  ): Promise<SweepWorkerState | undefined>;
  /** Saves the holder's position and totals, if it still holds the lease at `seq`. */
  saveWorker(state: SweepWorkerState & { holder: string }): Promise<boolean>;
  /**
   * Marks the run finished and writes its summary, together (one transaction): true for the one
   * caller that did.
   */
  finishRun(runId: string, summary: SweepSummary): Promise<boolean>;
  summary(): Promise<SweepSummary | undefined>;
}

/** The sweep's AssumeRole budget in the table: one counter per key and time slot (leases). */
export interface RateBudgetStore {
  /**
   * Takes up to `want` tokens of time slot `slot` on key `key`, of `capacity` in all: the number
   * granted (0 when the key's share of that slot is spent).
   */
  claim(slot: number, key: number, want: number, capacity: number): Promise<number>;
}

/** Starts the next link of the chain (Lambda: the function invokes itself asynchronously). */
export interface SweepContinuation {
  continueWith(next: SweepLink): Promise<void>;
}

/** Whether the control plane's table serves: the readiness GET /v1/health answers. */
export interface TableProbe {
  /** The table's status as DynamoDB reports it ("ACTIVE" when it serves); throws when unreachable. */
  tableStatus(): Promise<string | undefined>;
}
