/**
 * The control plane's metrics: one CloudWatch namespace, each metric with its unit and the
 * dimensions it may carry. Dimensions stay low-cardinality: never a tenant or account ID (those
 * go in log fields). docs/operations.md lists them; a test keeps the two in step.
 */
export const METRICS_NAMESPACE = "CrossAccountControlPlane";

export const METRICS = {
  SessionsIssued: {
    unit: "Count",
    dimensions: [],
    meaning: "sessions handed out (cache hits included)",
  },
  SessionsRefused: {
    unit: "Count",
    dimensions: ["code"],
    meaning: "session requests refused or failed, by error code",
  },
  SessionIssueLatency: {
    unit: "Milliseconds",
    dimensions: ["cache"],
    meaning: "time to decide, assume the role (on a miss) and audit; cache = hit or miss",
  },
  Registrations: {
    unit: "Count",
    dimensions: ["source", "outcome"],
    meaning:
      "account registrations by source (api, cloudformation, organization) and outcome (REGISTERED or the refusal code)",
  },
  HealthChecks: {
    unit: "Count",
    dimensions: ["state"],
    meaning: "accounts checked by the sweep, by the state they are in after the check",
  },
  SweepDuration: {
    unit: "Milliseconds",
    dimensions: [],
    meaning: "one whole sweep, from its first invocation's start to its last one's finish",
  },
  SweepsCompleted: {
    unit: "Count",
    dimensions: [],
    meaning:
      "sweeps that checked every account (SweepLateAlarm fires when none completes in two periods)",
  },
  SweepOverrun: {
    unit: "Count",
    dimensions: ["reason"],
    meaning:
      "a sweep that cannot check every account in its period (reason = budget: the last count at the AssumeRole budget takes longer than the period; running: still going when the next period starts; late: finished after its period); SweepOverrunAlarm",
  },
  AssumeRoleThrottled: {
    unit: "Count",
    dimensions: ["caller"],
    meaning: "AssumeRole calls STS throttled (caller = sessions, sweep)",
  },
  OrganizationJobs: {
    unit: "Count",
    dimensions: ["kind", "outcome"],
    meaning:
      "organization jobs (kind = CONNECT, SYNC) by outcome: STARTED, SUCCEEDED, FAILED (the tenant's to fix: the job's error says what), LAUNCH_FAILED (its first link could not be invoked: the schedule resumes it)",
  },
  OrganizationSyncAccounts: {
    unit: "Count",
    dimensions: ["result"],
    meaning:
      "member accounts per finished organization job, by result (registered, failed, detached, pending)",
  },
  Freezes: { unit: "Count", dimensions: [], meaning: "accounts frozen by the emergency brake" },
  CodeCacheRejected: {
    unit: "Count",
    dimensions: ["reason"],
    meaning:
      "cold starts that loaded the bundle from its source instead of its V8 code cache (written by the entry module, infra/code-cache/loader.js), by reason: rejected (V8 refused it: the runtime is not the one the cache was built for), digest (the file is not the one packaging made), missing; CodeCacheRejectedAlarm",
  },
} as const;

export type MetricName = keyof typeof METRICS;
