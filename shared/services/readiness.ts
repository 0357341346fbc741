import { ServiceUnavailableError } from "../errors";
import type { Clock } from "../ports/common";
import type { TableProbe } from "../ports/health";

/**
 * GET /v1/health's readiness: ready means the table answers ACTIVE. A ready answer is reused for
 * `cacheMs` per container, so that a load balancer's polling costs no DescribeTable each time; a
 * failure is never reused.
 */
export class Readiness {
  private readyUntil = 0;

  constructor(private readonly deps: { probe: TableProbe; clock: Clock; cacheMs: number }) {}

  async check(): Promise<void> {
    if (this.deps.clock.now().getTime() < this.readyUntil) return;
    try {
      const status = await this.deps.probe.tableStatus();
      if (status !== "ACTIVE") throw new Error(`table is ${status}`);
    } catch (err) {
      throw new ServiceUnavailableError("The control plane's table is not reachable", {
        retryAfterSeconds: 5,
        cause: err,
      });
    }
    this.readyUntil = this.deps.clock.now().getTime() + this.deps.cacheMs;
  }
}
