import { AwsStsGateway } from "../adapters/aws-sts-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoBrokerStore } from "../adapters/dynamo-broker-store";
import { DynamoGrantStore } from "../adapters/dynamo-grant-store";
import { DynamoPermissionSetStore } from "../adapters/dynamo-permission-set-store";
import type { ShardedIndexOptions } from "../adapters/sharded-index";
import { cryptoRandom, systemClock } from "../adapters/system";
import { CallerAccess } from "../services/caller-access";
import { GrantService } from "../services/grant-service";
import { PermissionSetService } from "../services/permission-set-service";
import { type BrokeredSession, SessionBroker } from "../services/session-broker";
import { SessionCache } from "../services/session-cache";
import {
  accessConfig,
  auditStore,
  auditTrail,
  config,
  documentClient,
  listingIndex,
  metricsSink,
  once,
  tenantLookup,
} from "./common";

export { auditStore };

/** Composition root of brokering: permission sets, grants, sessions, audit. */
const permissionSetStore = /* @__PURE__ */ once(
  () => new DynamoPermissionSetStore(documentClient(), config().tableName),
);

export const permissionSetService = /* @__PURE__ */ once(
  () =>
    new PermissionSetService({
      store: permissionSetStore(),
      trail: auditTrail(),
      clock: systemClock,
    }),
);

/** `index`: with the cursor key where grants are listed (GET /v1/grants only). */
const grantServiceWith = (index?: ShardedIndexOptions) =>
  new GrantService({
    grants: new DynamoGrantStore(documentClient(), config().tableName, index),
    permissionSets: permissionSetStore(),
    tenants: tenantLookup(),
    trail: auditTrail(),
    clock: systemClock,
    random: cryptoRandom,
  });

export const grantService = /* @__PURE__ */ once(() => grantServiceWith());
export const grantListing = /* @__PURE__ */ once(() => grantServiceWith(listingIndex()));

export const callerAccess = /* @__PURE__ */ once(
  () =>
    new CallerAccess({
      grants: new DynamoGrantStore(documentClient(), config().tableName),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
    }),
);

export const sessionBroker = /* @__PURE__ */ once(
  () =>
    new SessionBroker({
      metrics: metricsSink(),
      store: new DynamoBrokerStore(documentClient(), config().tableName),
      permissionSets: permissionSetStore(),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      audit: auditStore(),
      gateway: new AwsStsGateway(),
      cache: new SessionCache<BrokeredSession & { expiration: Date }>(),
      clock: systemClock,
      defaultRegion: accessConfig().region,
    }),
);
