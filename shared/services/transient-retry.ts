import type { Clock, Sleep } from "../ports/common";

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 15_000;

/**
 * Runs `attempt` until its result is not transient, or until waiting once more would pass
 * `budgetMs` (counted from the first attempt), doubling the wait from 1 s up to 15 s. A role created
 * seconds ago is refused for a while (IAM propagation); throttling passes too.
 */
export async function retryWhileTransient<T>(
  deps: { clock: Clock; sleep: Sleep },
  budgetMs: number,
  attempt: () => Promise<T>,
  transient: (result: T) => boolean,
): Promise<{ result: T; attempts: number }> {
  const started = deps.clock.now().getTime();
  let backoff = FIRST_BACKOFF_MS;
  for (let attempts = 1; ; attempts++) {
    const result = await attempt();
    const elapsed = deps.clock.now().getTime() - started;
    if (!transient(result) || elapsed + backoff > budgetMs) return { result, attempts };
    await deps.sleep(backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
