import { httpHandler } from "../../shared/http/handler";
import * as routes from "../../shared/http/routes/health";
import { httpDeps } from "../../shared/wiring/common";
import { healthStore } from "../../shared/wiring/health";

export const handler = httpHandler(routes.getHealthSummary, httpDeps, async () => {
  const last = await healthStore().summary();
  if (!last) return { body: { states: { HEALTHY: 0, DEGRADED: 0, UNHEALTHY: 0 }, checked: 0 } };
  return {
    body: {
      states: last.states,
      checked: last.checked,
      ...(last.oldestCheck ? { oldestCheck: last.oldestCheck } : {}),
      lastSweep: {
        startedAt: last.startedAt,
        finishedAt: last.finishedAt,
        durationMs: last.durationMs,
      },
    },
  };
});
