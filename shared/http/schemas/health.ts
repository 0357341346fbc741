import { array, int, object, optional, string } from "zod/mini";
import { AccountStatus, HealthState, HealthView } from "./accounts";
import { AccountId, described, doc, TenantId, Timestamp } from "./common";

/** An account's health checks and the sweep's summary. */
export const AccountHealthView = doc(
  object({
    tenantId: TenantId,
    accountId: AccountId,
    status: AccountStatus,
    health: optional(HealthView),
    history: described(
      array(
        object({ at: Timestamp, state: HealthState, latencyMs: int(), code: optional(string()) }),
      ),
      "The most recent checks, newest first.",
    ),
  }),
  { id: "AccountHealth" },
);

export const HealthSummary = doc(
  object({
    states: object({ HEALTHY: int(), DEGRADED: int(), UNHEALTHY: int() }),
    checked: int(),
    oldestCheck: described(
      optional(Timestamp),
      "The oldest previous check among the accounts the last sweep saw.",
    ),
    lastSweep: optional(object({ startedAt: Timestamp, finishedAt: Timestamp, durationMs: int() })),
  }),
  { id: "HealthSummary" },
);
