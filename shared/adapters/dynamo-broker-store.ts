import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Account } from "../domain/account";
import { ALL_TENANTS } from "../domain/grant";
import type { BrokerState } from "../domain/session";
import type { Tenant } from "../domain/tenant";
import type { BrokerStore } from "../ports/brokering";
import { rethrowDynamo } from "./dynamo-errors";
import { toGrant } from "./dynamo-grant-store";
import { toPermissionSet } from "./dynamo-permission-set-store";
import { withoutTableAttributes } from "./gsi1";
import { keys } from "./table";

/**
 * The session broker's read: tenant, account, the service's grant for the tenant and for all
 * tenants, and the requested permission set, in one strongly consistent BatchGetItem.
 */
export class DynamoBrokerStore implements BrokerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(q: {
    tenantId: string;
    accountId: string;
    service: string;
    permissionSet?: string;
  }): Promise<BrokerState> {
    const wanted = {
      tenant: keys.tenant(q.tenantId),
      account: keys.account(q.tenantId, q.accountId),
      grantForTenant: keys.grant(q.service, q.tenantId),
      grantForAll: keys.grant(q.service, ALL_TENANTS),
      ...(q.permissionSet ? { permissionSet: keys.permissionSet(q.permissionSet) } : {}),
    };
    let pending: Record<string, string>[] = Object.values(wanted);
    const found: Record<string, unknown>[] = [];
    try {
      // BatchGetItem may return some keys as unprocessed under load; ask again for those only.
      for (let round = 0; pending.length > 0 && round < 5; round++) {
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []));
        pending =
          (out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, string>[] | undefined) ??
          [];
      }
    } catch (err) {
      rethrowDynamo(err);
    }
    const at = (key: { PK: string; SK: string }) =>
      found.find((i) => i.PK === key.PK && i.SK === key.SK);
    const state: BrokerState = {};
    const tenant = at(wanted.tenant);
    if (tenant) state.tenant = withoutTableAttributes(tenant) as unknown as Tenant;
    const account = at(wanted.account);
    if (account) state.account = withoutTableAttributes(account) as unknown as Account;
    const g1 = at(wanted.grantForTenant);
    if (g1) state.grantForTenant = toGrant(g1);
    const g2 = at(wanted.grantForAll);
    if (g2) state.grantForAll = toGrant(g2);
    if (wanted.permissionSet) {
      const ps = at(wanted.permissionSet);
      if (ps) state.permissionSet = toPermissionSet(ps);
    }
    return state;
  }
}
