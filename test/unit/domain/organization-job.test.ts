import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emptyProgress,
  type OrganizationJob,
  type OrganizationJobStatus,
  scheduleDecision,
  summaryOf,
} from "../../../shared/domain/organization-job";
import { ROOT } from "../../../tools/local-aws/local-stack";

/** What the schedule does with a connected organization's latest job, as a table. */
const cases = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/organizations/schedule-cases.json"), "utf8"),
) as {
  name: string;
  job: { status: OrganizationJobStatus; startedAt: string; leaseUntil: string } | null;
  now: string;
  expect: string;
}[];
const HOUR = 3_600_000;

describe("scheduleDecision (a sync period of one hour)", () => {
  it.each(cases)("$name", (c) => {
    const job = c.job
      ? {
          status: c.job.status,
          startedAt: c.job.startedAt,
          leaseUntilMs: Date.parse(c.job.leaseUntil),
        }
      : undefined;
    expect(scheduleDecision(job, Date.parse(c.now), HOUR)).toBe(c.expect);
  });
});

describe("summaryOf", () => {
  const job = (
    status: OrganizationJobStatus,
    extra: Partial<OrganizationJob> = {},
  ): OrganizationJob => ({
    tenantId: "tnt_a",
    jobId: "job_1",
    kind: "SYNC",
    status,
    phase: status === "RUNNING" ? "REGISTERING" : "DONE",
    startedAt: "2026-12-03T09:00:00.000Z",
    updatedAt: "2026-12-03T09:01:00.000Z",
    progress: { ...emptyProgress(), members: 5, registered: 2, alreadyRegistered: 3, skipped: 1 },
    failures: [],
    invocations: 1,
    seq: 1,
    leaseUntilMs: 0,
    ...extra,
  });
  const previous = {
    at: "2026-12-03T08:00:00.000Z",
    members: 4,
    registered: 4,
    alreadyRegistered: 0,
    failed: 0,
    skipped: 1,
    detached: 0,
    pending: 0,
  };

  it("a finished job's counts, at its end", () => {
    expect(
      summaryOf(job("SUCCEEDED", { finishedAt: "2026-12-03T09:02:00.000Z", previous })),
    ).toEqual({
      at: "2026-12-03T09:02:00.000Z",
      members: 5,
      registered: 2,
      alreadyRegistered: 3,
      failed: 0,
      skipped: 1,
      detached: 0,
      pending: 0,
    });
  });

  it("a running or failed job shows the last finished sync before it", () => {
    expect(summaryOf(job("RUNNING", { previous }))).toEqual(previous);
    expect(summaryOf(job("FAILED", { finishedAt: "2026-12-03T09:02:00.000Z", previous }))).toEqual(
      previous,
    );
    expect(summaryOf(job("RUNNING"))).toBeUndefined();
  });
});
