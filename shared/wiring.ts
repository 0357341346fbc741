import { AwsTenantRoleGateway } from "./adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "./adapters/dynamo-account-store";
import { DynamoApiKeyStore } from "./adapters/dynamo-api-key-store";
import { DynamoAuditStore } from "./adapters/dynamo-audit-store";
import { DynamoBrokerStore } from "./adapters/dynamo-broker-store";
import { createDocumentClient } from "./adapters/dynamo-client";
import { DynamoGrantStore } from "./adapters/dynamo-grant-store";
import { DynamoPermissionSetStore } from "./adapters/dynamo-permission-set-store";
import { DynamoRegistrationTokenStore } from "./adapters/dynamo-registration-token-store";
import { DynamoTenantStore } from "./adapters/dynamo-tenant-store";
import { HttpCustomResourceResponder } from "./adapters/http-custom-resource-responder";
import { cryptoRandom, realSleep, systemClock } from "./adapters/system";
import {
  type ControlPlaneConfig,
  intEnv,
  loadAccessConfig,
  loadConfig,
  loadOnboardingEnv,
} from "./config";
import type { HttpDeps } from "./http/handler";
import { AccountService } from "./services/account-service";
import { ApiKeyService } from "./services/api-key-service";
import { GrantService } from "./services/grant-service";
import { OnboardingService } from "./services/onboarding-service";
import { PermissionSetService } from "./services/permission-set-service";
import { RegistrationService } from "./services/registration-service";
import { RoleVerifier } from "./services/role-verifier";
import { type BrokeredSession, SessionBroker } from "./services/session-broker";
import { SessionCache } from "./services/session-cache";
import { TenantService } from "./services/tenant-service";

/**
 * Composition root: SDK clients and services are built once per container, on first use, and
 * shared by every invocation the container serves.
 */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export const config = once<ControlPlaneConfig>(() => loadConfig());
export const documentClient = once(() => createDocumentClient());

export const apiKeyService = once(
  () =>
    new ApiKeyService({
      keys: new DynamoApiKeyStore(documentClient(), config().tableName),
      clock: systemClock,
      random: cryptoRandom,
      cacheTtlSeconds: config().apiKeyCacheTtlSeconds,
    }),
);

export const tenantService = once(
  () =>
    new TenantService({
      tenants: new DynamoTenantStore(documentClient(), config().tableName),
      clock: systemClock,
      random: cryptoRandom,
      externalIdOverlapSeconds: config().externalIdOverlapSeconds,
    }),
);

export const httpDeps = once<HttpDeps>(() => ({
  authenticate: (secret) => apiKeyService().authenticate(secret),
  maxBodyBytes: config().maxBodyBytes,
}));

export const accessConfig = once(() => loadAccessConfig());
const principal = () => ({
  partition: accessConfig().partition,
  accountId: accessConfig().controlPlaneAccountId,
});

export const roleVerifier = once(
  () =>
    new RoleVerifier({
      gateway: new AwsTenantRoleGateway(),
      clock: systemClock,
      sleep: realSleep,
      principal: principal(),
      retryBudgetMs: accessConfig().verifyRetryBudgetMs,
      negativeProbe: accessConfig().negativeProbe,
      defaultRegion: accessConfig().region,
    }),
);

export const accountService = once(
  () =>
    new AccountService({
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantService(),
      verifier: roleVerifier(),
      clock: systemClock,
      partition: accessConfig().partition,
    }),
);

const registrationTokens = once(
  () => new DynamoRegistrationTokenStore(documentClient(), config().tableName),
);
const onboardingEnv = once(() => loadOnboardingEnv());

export const onboardingService = once(
  () =>
    new OnboardingService({
      tenants: tenantService(),
      tokens: registrationTokens(),
      clock: systemClock,
      random: cryptoRandom,
      config: {
        templateUrl: onboardingEnv().templateUrl,
        registrationTopicArn: onboardingEnv().registrationTopicArn,
        principal: principal(),
        tokenTtlSeconds: onboardingEnv().tokenTtlSeconds,
        tokenRetentionSeconds: onboardingEnv().tokenRetentionSeconds,
        stackName: "CrossAccountControlPlaneAccess",
        roleName: "CrossAccountControlPlaneAccess",
      },
    }),
);

export const registrationService = once(
  () =>
    new RegistrationService({
      accounts: accountService(),
      tokens: registrationTokens(),
      responder: new HttpCustomResourceResponder(),
      clock: systemClock,
      extraResponseOrigins: onboardingEnv().extraResponseOrigins,
    }),
);

const permissionSetStore = once(
  () => new DynamoPermissionSetStore(documentClient(), config().tableName),
);

export const permissionSetService = once(
  () => new PermissionSetService({ store: permissionSetStore(), clock: systemClock }),
);

export const grantService = once(
  () =>
    new GrantService({
      grants: new DynamoGrantStore(documentClient(), config().tableName),
      permissionSets: permissionSetStore(),
      tenants: tenantService(),
      clock: systemClock,
      random: cryptoRandom,
    }),
);

export const auditStore = once(
  () =>
    new DynamoAuditStore(
      documentClient(),
      config().tableName,
      intEnv("AUDIT_RETENTION_DAYS", 365, { min: 1, max: 3650 }) * 24 * 3600,
    ),
);

export const sessionBroker = once(
  () =>
    new SessionBroker({
      store: new DynamoBrokerStore(documentClient(), config().tableName),
      permissionSets: permissionSetStore(),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      audit: auditStore(),
      gateway: new AwsTenantRoleGateway(),
      cache: new SessionCache<BrokeredSession & { expiration: Date }>(),
      clock: systemClock,
      defaultRegion: accessConfig().region,
    }),
);
