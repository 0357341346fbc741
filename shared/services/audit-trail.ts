import { type Actor, type AuditRecord, actorFields } from "../domain/audit";
import type { AuditStore, Clock } from "../ports";

/** What a service says about a change; the trail adds who, when and the request. */
export type AuditEntry = Omit<
  AuditRecord,
  "requestId" | "at" | "keyId" | "keyRole" | "service" | "stackId" | "outcome"
> & { outcome?: AuditRecord["outcome"]; stackId?: string };

/**
 * Writes one record per change, naming the acting key and its role (or the stack, or the
 * scheduled job). Written after the change: a change whose record cannot be written answers 503,
 * and its retry (idempotent routes replay their answer) does not change anything twice.
 */
export class AuditTrail {
  constructor(private readonly deps: { audit: AuditStore; clock: Clock }) {}

  async record(actor: Actor, entry: AuditEntry): Promise<void> {
    await this.deps.audit.write({
      ...actorFields(actor),
      at: this.deps.clock.now().toISOString(),
      ...entry,
      outcome: entry.outcome ?? "SUCCEEDED",
    });
  }
}
