/**
 * Organization jobs run in one process: each link of a job's chain is queued instead of invoked,
 * and run after the one before it, as the job function's invocations would run them. For
 * `npm run sweep` (there is no job function locally) and the tests; deployed, the chain is the
 * job function invoking itself (shared/adapters/lambda-async-invoke.ts).
 */
import type {
  OrganizationJobLauncher,
  OrganizationJobLink,
} from "../../shared/ports/organizations";
import type {
  OrganizationJobOutcome,
  OrganizationJobs,
} from "../../shared/services/organization-job";

/** Links queued instead of invoked. */
export class QueuedLinks implements OrganizationJobLauncher {
  readonly links: OrganizationJobLink[] = [];

  async launch(link: OrganizationJobLink): Promise<void> {
    this.links.push(link);
  }
}

/** Runs the queued links, and those they queue, each as an invocation of `remainingMs`. */
export async function drainJobs(
  jobs: Pick<OrganizationJobs, "runLink">,
  queue: QueuedLinks,
  remainingMs: number,
): Promise<OrganizationJobOutcome[]> {
  const outcomes: OrganizationJobOutcome[] = [];
  for (let n = 0; queue.links.length > 0; n++) {
    const link = queue.links.shift() as OrganizationJobLink;
    outcomes.push(await jobs.runLink(link, { id: `inline-${n}`, remainingMs, launcher: queue }));
  }
  return outcomes;
}
