import { type Actor, type AuditRecord, actorFields } from "../domain/audit";
import type { AuditStore, Clock } from "../ports/common";

/** What a service says about a change; the trail adds who, when and the request. */
export type AuditEntry = Omit<
  AuditRecord,
  "requestId" | "at" | "keyId" | "keyRole" | "service" | "stackId" | "outcome"
> & { outcome?: AuditRecord["outcome"]; stackId?: string };

export interface AuditTrailDeps {
  audit: AuditStore;
  clock: Clock;
  /**
   * Where a record goes when the trail cannot take it (the table throttling after the SDK's own
   * retries): the function's log, at error level. Without it, the failure is thrown.
   */
  onWriteFailure?: (record: AuditRecord, err: unknown) => void;
}

/**
 * Writes one record per change, naming the acting key and its role (or the stack, or the
 * scheduled job), after the change is made. The change is not undone when its record cannot be
 * written, and answering 503 would make the client retry it (a second rotation, a second tenant):
 * so the record goes to the log instead (`onWriteFailure`), and the answer is the change's own.
 * Session records are different: the broker writes them itself, before any credentials leave.
 */
export class AuditTrail {
  constructor(private readonly deps: AuditTrailDeps) {}

  async record(actor: Actor, entry: AuditEntry): Promise<void> {
    const record: AuditRecord = {
      ...actorFields(actor),
      at: this.deps.clock.now().toISOString(),
      ...entry,
      outcome: entry.outcome ?? "SUCCEEDED",
    };
    try {
      await this.deps.audit.write(record);
    } catch (err) {
      if (!this.deps.onWriteFailure) throw err;
      this.deps.onWriteFailure(record, err);
    }
  }
}
