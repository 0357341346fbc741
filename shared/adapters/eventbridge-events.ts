import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { HealthChange } from "../domain/health";
import { ServiceUnavailableError } from "../errors";

export const EVENT_SOURCE = "cross-account-control-plane";
export const HEALTH_DETAIL_TYPE = "Account Health Changed";
export const ORGANIZATION_DETAIL_TYPE = "Organization Account Changed";

export type HealthChangeEvent = HealthChange & { tenantId: string; accountId: string; at: string };

export interface ControlPlaneEvent {
  at: string;
  detail: Record<string, unknown>;
}

/** The control plane's events on EventBridge: one per change, 10 per PutEvents call. */
export class EventBridgeEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(detailType: string, events: ControlPlaneEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Time: new Date(e.at),
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        throw new ServiceUnavailableError(
          `EventBridge refused ${out.FailedEntryCount} of ${batch.length} events`,
          { retryAfterSeconds: 5 },
        );
      }
    }
  }

  /** Account Health Changed: tenant, account, from, to, reason. */
  publishHealth(changes: HealthChangeEvent[]): Promise<void> {
    return this.publish(
      HEALTH_DETAIL_TYPE,
      changes.map((c) => ({
        at: c.at,
        detail: {
          tenantId: c.tenantId,
          accountId: c.accountId,
          from: c.from ?? null,
          to: c.to,
          reason: c.reason,
          at: c.at,
        },
      })),
    );
  }
}
