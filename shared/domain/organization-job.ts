import type { Actor } from "./audit";
import type { SyncSummary } from "./organization";
import type { VerificationCode } from "./verification";

/**
 * Connecting an organization and syncing it run as one kind of job: list the organization (paced
 * below its API's rate), plan, register the new members, detach the leavers. A job is resumed
 * across invocations from its saved state; one job per tenant at a time (the latest is kept).
 */
export type OrganizationJobKind = "CONNECT" | "SYNC";
export type OrganizationJobStatus = "RUNNING" | "SUCCEEDED" | "FAILED";
export type OrganizationJobPhase = "LISTING" | "REGISTERING" | "DETACHING" | "DONE";

export interface OrganizationJobProgress {
  /** Organizations API calls made, throttled ones included, and how many AWS throttled. */
  calls: number;
  throttled: number;
  /** Accounts the organization listed so far. */
  listed: number;
  /** Once listed: member accounts in scope (the management account excluded). */
  members: number;
  /** Once planned: members to register (new, or detached before). */
  toRegister: number;
  registered: number;
  alreadyRegistered: number;
  /** Registration refused (the member role missing, most often): retried by the next sync. */
  failed: number;
  skipped: number;
  detached: number;
  /** Not registered because STS or the table was unavailable: the next sync registers them. */
  pending: number;
}

/** The first failures a job lists (the rest are counted). */
export const LISTED_FAILURES = 100;

export interface OrganizationJob {
  tenantId: string;
  /** Random, issued when the job starts; a link of another job's chain is refused. */
  jobId: string;
  kind: OrganizationJobKind;
  status: OrganizationJobStatus;
  phase: OrganizationJobPhase;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  progress: OrganizationJobProgress;
  /** The first LISTED_FAILURES registrations refused, with registration's reason code. */
  failures: { accountId: string; code: VerificationCode; message: string }[];
  /** Why a FAILED job stopped: the tenant's to fix (the management role, an OU that is gone). */
  error?: { code: string; message: string };
  /** Invocations the job took so far. */
  invocations: number;
  /** Whom the job acts for: the connecting caller, or the schedule (its records name them). */
  actor?: Actor;
  /** The last finished sync before this job, shown as lastSync while this one runs. */
  previous?: SyncSummary;
  /** The lease: the chain of invocations that holds it, its fencing sequence, until when. */
  holder?: string;
  seq: number;
  leaseUntilMs: number;
}

export function emptyProgress(): OrganizationJobProgress {
  return {
    calls: 0,
    throttled: 0,
    listed: 0,
    members: 0,
    toRegister: 0,
    registered: 0,
    alreadyRegistered: 0,
    failed: 0,
    skipped: 0,
    detached: 0,
    pending: 0,
  };
}

/** A finished job's counts as the connection's lastSync. */
export function summaryOf(job: OrganizationJob): SyncSummary | undefined {
  if (job.status !== "SUCCEEDED" || job.finishedAt === undefined) return job.previous;
  const p = job.progress;
  return {
    at: job.finishedAt,
    members: p.members,
    registered: p.registered,
    alreadyRegistered: p.alreadyRegistered,
    failed: p.failed,
    skipped: p.skipped,
    detached: p.detached,
    pending: p.pending,
  };
}

export type ScheduleDecision = "START" | "RESUME" | "WAIT";

/**
 * What the schedule does with one connected organization, from its latest job:
 *   no job yet                                   START a sync
 *   RUNNING, lease held                          WAIT (a chain is on it)
 *   RUNNING, lease expired (a link was lost)     RESUME it in a new chain
 *   finished, started a sync period ago or more  START the next sync
 *   finished more recently                       WAIT
 * A FAILED job is retried like a finished one: the tenant may have fixed the role meanwhile.
 */
export function scheduleDecision(
  job: Pick<OrganizationJob, "status" | "startedAt" | "leaseUntilMs"> | undefined,
  nowMs: number,
  periodMs: number,
): ScheduleDecision {
  if (job === undefined) return "START";
  if (job.status === "RUNNING") return job.leaseUntilMs < nowMs ? "RESUME" : "WAIT";
  return nowMs - Date.parse(job.startedAt) >= periodMs ? "START" : "WAIT";
}
