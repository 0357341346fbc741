import { type Actor, systemActor } from "../domain/audit";
import type { OrganizationConnection } from "../domain/organization";
import {
  emptyProgress,
  type OrganizationJob,
  type OrganizationJobKind,
  scheduleDecision,
  summaryOf,
} from "../domain/organization-job";
import type { RandomSource } from "../domain/random";
import { type Clock, type MetricsSink, noMetrics } from "../ports/common";
import type {
  OrganizationJobLauncher,
  OrganizationJobStore,
  OrganizationStore,
} from "../ports/organizations";

/** How long a new job waits for its first link before the schedule resumes it. */
export const FIRST_LINK_GRACE_MS = 5 * 60_000;

interface StarterDeps {
  jobs: Pick<OrganizationJobStore, "get" | "start">;
  clock: Clock;
  random: RandomSource;
  /** OrganizationJobs (STARTED, LAUNCH_FAILED). */
  metrics?: MetricsSink;
}

export interface ScheduleTotals {
  organizations: number;
  started: number;
  resumed: number;
  running: number;
  notDue: number;
  /** Not reached before the invocation's time ran out (the next run gets them). */
  deferred: number;
  failed: number;
}

/**
 * Starts an organization job (shared/services/organization-job.ts runs it): what connect needs,
 * without the job's own code (the walk, registrations, events) in connect's bundle.
 */
export class OrganizationJobStarter {
  constructor(private readonly deps: StarterDeps) {}

  /** The tenant's latest job. */
  latest(tenantId: string): Promise<OrganizationJob | undefined> {
    return this.deps.jobs.get(tenantId);
  }

  /**
   * Starts a job for the connection in place of the latest one (`replacing`, which a running
   * chain then gives up at its next save), and launches its first link. Undefined when another
   * request started one first. A launch that fails leaves the job to the schedule (which resumes
   * it FIRST_LINK_GRACE_MS later).
   */
  async start(
    connection: OrganizationConnection,
    kind: OrganizationJobKind,
    replacing: OrganizationJob | undefined,
    actor: Actor,
    launcher: OrganizationJobLauncher,
  ): Promise<OrganizationJob | undefined> {
    const metrics = this.deps.metrics ?? noMetrics;
    const at = this.deps.clock.now().toISOString();
    const previous = replacing ? summaryOf(replacing) : connection.lastSync;
    const job: OrganizationJob = {
      tenantId: connection.tenantId,
      jobId: `job_${Buffer.from(this.deps.random.bytes(12)).toString("hex")}`,
      kind,
      status: "RUNNING",
      phase: "LISTING",
      startedAt: at,
      updatedAt: at,
      progress: emptyProgress(),
      failures: [],
      invocations: 0,
      actor,
      ...(previous ? { previous } : {}),
      seq: 0,
      // No holder: its first link takes it. The schedule resumes it only if that link is lost.
      leaseUntilMs: this.deps.clock.now().getTime() + FIRST_LINK_GRACE_MS,
    };
    if (!(await this.deps.jobs.start(job, replacing?.jobId))) return undefined;
    metrics.count("OrganizationJobs", 1, { kind, outcome: "STARTED" });
    try {
      await launcher.launch({ tenantId: job.tenantId, jobId: job.jobId });
    } catch {
      metrics.count("OrganizationJobs", 1, { kind, outcome: "LAUNCH_FAILED" });
    }
    return job;
  }
}

/**
 * The schedule's side: every connected organization's latest job, by scheduleDecision (start the
 * period's sync, resume a lost chain, or wait). DynamoDB and the launcher only: the schedule
 * function carries no STS or Organizations client.
 */
export class OrganizationSchedule {
  private readonly starter: OrganizationJobStarter;

  constructor(
    private readonly deps: StarterDeps & {
      organizations: Pick<OrganizationStore, "list">;
      /** A sync of each organization starts this often (ORGANIZATION_SYNC_PERIOD_MINUTES). */
      periodMinutes: number;
    },
  ) {
    this.starter = new OrganizationJobStarter(deps);
  }

  /**
   * The schedule: every connected organization's job, by scheduleDecision. One organization's
   * failure is counted and the others go on.
   */
  async schedule(invocation: {
    id: string;
    deadlineMs: number;
    launcher: OrganizationJobLauncher;
    onFailure?: (tenantId: string, err: unknown) => void;
  }): Promise<ScheduleTotals> {
    const totals: ScheduleTotals = {
      organizations: 0,
      started: 0,
      resumed: 0,
      running: 0,
      notDue: 0,
      deferred: 0,
      failed: 0,
    };
    const periodMs = this.deps.periodMinutes * 60_000;
    let cursor: string | undefined;
    do {
      const page = await this.deps.organizations.list({
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      for (const connection of page.items) {
        totals.organizations += 1;
        const now = this.deps.clock.now().getTime();
        if (now >= invocation.deadlineMs) {
          totals.deferred += 1;
          continue;
        }
        // Being disconnected: its job is gone and none starts.
        if (connection.disconnecting) {
          totals.notDue += 1;
          continue;
        }
        try {
          const job = await this.deps.jobs.get(connection.tenantId);
          switch (scheduleDecision(job, now, periodMs)) {
            case "START": {
              const started = await this.starter.start(
                connection,
                "SYNC",
                job,
                systemActor(invocation.id, "organization-sync"),
                invocation.launcher,
              );
              if (started) totals.started += 1;
              else totals.running += 1;
              break;
            }
            case "RESUME":
              await invocation.launcher.launch({
                tenantId: connection.tenantId,
                jobId: (job as OrganizationJob).jobId,
                // A new chain: the lost one's links, should they come back, no longer hold it.
                chain: `${invocation.id}/${connection.tenantId}`,
              });
              totals.resumed += 1;
              break;
            default:
              if (job?.status === "RUNNING") totals.running += 1;
              else totals.notDue += 1;
          }
        } catch (err) {
          totals.failed += 1;
          invocation.onFailure?.(connection.tenantId, err);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return totals;
  }
}
