import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { HealthChange } from "../domain/health";
import { ServiceUnavailableError } from "../errors";

export const HEALTH_EVENT_SOURCE = "cross-account-control-plane";
export const HEALTH_DETAIL_TYPE = "Account Health Changed";

export type HealthChangeEvent = HealthChange & { tenantId: string; accountId: string; at: string };

/** One EventBridge event per change of an account's health, 10 per PutEvents call. */
export class EventBridgeHealthEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(changes: HealthChangeEvent[]): Promise<void> {
    for (let i = 0; i < changes.length; i += 10) {
      const batch = changes.slice(i, i + 10);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((c) => ({
            EventBusName: this.eventBusName,
            Source: HEALTH_EVENT_SOURCE,
            DetailType: HEALTH_DETAIL_TYPE,
            Time: new Date(c.at),
            Detail: JSON.stringify({
              tenantId: c.tenantId,
              accountId: c.accountId,
              from: c.from ?? null,
              to: c.to,
              reason: c.reason,
              at: c.at,
            }),
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        throw new ServiceUnavailableError(
          `EventBridge refused ${out.FailedEntryCount} health events`,
          { retryAfterSeconds: 5 },
        );
      }
    }
  }
}
