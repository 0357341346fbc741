/**
 * The ports every area uses: time, paging, metrics, the audit trail, and the records behind the
 * HTTP stack's Idempotency-Key and rate limits. Each area's own ports are in shared/ports/<area>.ts
 * (the areas of functions/<area>/ and shared/wiring/<area>.ts); the source of randomness is
 * RandomSource in shared/domain/random.ts, since domain rules draw from it. Concrete adapters live
 * in shared/adapters and are wired in shared/wiring/; tests hand in their own
 * (test/support/memory.ts).
 */
import type { AuditRecord } from "../domain/audit";
import type { MetricName } from "../domain/metrics";

export interface Clock {
  now(): Date;
}

export type Sleep = (ms: number) => Promise<void>;

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** The key that seals list cursors (shared/adapters/sharded-index.ts), fetched once per container. */
export interface CursorKey {
  key(): Promise<Uint8Array>;
}

export interface AuditStore {
  /** Appends the record to its trail (`auditTrailOf`): its tenant's, or the platform's. */
  write(record: AuditRecord): Promise<void>;
  /** A tenant's trail, newest first. */
  list(
    tenantId: string,
    query: { from?: string; to?: string } & PageRequest,
  ): Promise<Page<AuditRecord>>;
  /** The platform's trail (tenants, API keys, grants, permission sets), newest first. */
  listPlatform(query: { from?: string; to?: string } & PageRequest): Promise<Page<AuditRecord>>;
}

/** A request remembered under its Idempotency-Key (shared/http/idempotency.ts). */
export interface IdempotencyRecord {
  /** IN_PROGRESS while the first request runs; COMPLETED with its answer once it succeeded. */
  status: "IN_PROGRESS" | "COMPLETED";
  /** SHA-256 of the request (params, query, body): the same key with another request is refused. */
  requestHash: string;
  /** The first answer, replayed to retries. */
  response?: unknown;
  /** Epoch seconds after which the record is forgotten (the table's TTL attribute). */
  expiresAt: number;
  /** Epoch milliseconds after which an IN_PROGRESS record is abandoned (its function timed out). */
  inProgressUntil: number;
}

/** Idempotency records, by scope (the operation) and the hash of the caller's key. */
export interface IdempotencyStore {
  /**
   * Takes the key for a new request: true when taken (no record, or only an expired or abandoned
   * one); otherwise the record that holds it, or undefined if it vanished meanwhile.
   */
  claim(
    scope: string,
    keyHash: string,
    record: IdempotencyRecord,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; holder?: IdempotencyRecord }>;
  /** Stores the record of the request that holds the key, now COMPLETED with its answer. */
  complete(scope: string, keyHash: string, record: IdempotencyRecord): Promise<void>;
  /** Forgets the key: the request failed, and its retry must run again. */
  release(scope: string, keyHash: string): Promise<void>;
}

/** Fixed-window request counters (shared/services/rate-limiter.ts). */
export interface RateCounterStore {
  /**
   * Counts one request of `subject` in the window starting at `windowStart` (epoch ms), unless
   * `limit` are counted already: false then, and nothing changes. The counter expires at
   * `expiresAt` (epoch seconds).
   */
  take(subject: string, windowStart: number, limit: number, expiresAt: number): Promise<boolean>;
}

/** Operational metrics (shared/domain/metrics.ts); emitted at once, never batched. */
export interface MetricsSink {
  /** Adds `value` (1 by default) to a count, with the dimensions the metric declares. */
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** A duration in milliseconds. */
  duration(name: MetricName, ms: number, dimensions?: Record<string, string>): void;
}

/** For services built without metrics (tests, tools). */
export const noMetrics: MetricsSink = { count: () => undefined, duration: () => undefined };
