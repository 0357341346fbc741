import { AwsRoleBrakeGateway } from "../adapters/aws-role-brake-gateway";
import { AwsStackReader } from "../adapters/aws-stack-reader";
import { AwsStsGateway } from "../adapters/aws-sts-gateway";
import { AwsTenantRoleGateway } from "../adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../adapters/dynamo-account-store";
import { DynamoRegistrationTokenStore } from "../adapters/dynamo-registration-token-store";
import { DynamoTenantReader } from "../adapters/dynamo-tenant-store";
import { HttpCustomResourceResponder } from "../adapters/http-custom-resource-responder";
import { sdkRegionCatalog } from "../adapters/sdk-region-catalog";
import { cryptoRandom, realSleep, systemClock } from "../adapters/system";
import { loadOnboardingEnv } from "../config";
import { AccountQueries } from "../services/account-queries";
import { AccountRemoval } from "../services/account-removal";
import { AccountService, type AccountServiceDeps } from "../services/account-service";
import { EmergencyBrake } from "../services/emergency-brake";
import { OnboardingService } from "../services/onboarding-service";
import { RegistrationService } from "../services/registration-service";
import { RoleVerifier } from "../services/role-verifier";
import { StackConfirmation } from "../services/stack-confirmation";
import {
  accessConfig,
  auditStore,
  auditTrail,
  config,
  documentClient,
  metricsSink,
  once,
  principal,
  tenantLookup,
} from "./common";

/** Composition root of the functions that register and verify tenant accounts. */

export const roleVerifier = /* @__PURE__ */ once(
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

const accountServiceWith = (verifier: AccountServiceDeps["verifier"]) =>
  new AccountService({
    metrics: metricsSink(),
    accounts: new DynamoAccountStore(documentClient(), config().tableName),
    tenants: tenantLookup(),
    verifier,
    trail: auditTrail(),
    clock: systemClock,
    partition: accessConfig().partition,
    controlPlaneAccountId: accessConfig().controlPlaneAccountId,
    regions: sdkRegionCatalog,
  });

/** Registration, PATCH and verification: they assume tenant roles. */
export const accountService = /* @__PURE__ */ once(() => accountServiceWith(roleVerifier()));

/** Deletions: DynamoDB only, so their bundles carry no STS or IAM client. */
export const accountRemoval = /* @__PURE__ */ once(
  () =>
    new AccountRemoval({
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantLookup(),
      trail: auditTrail(),
    }),
);

/** Reads: the accounts and their tenant, nothing else. */
export const accountQueries = /* @__PURE__ */ once(
  () =>
    new AccountQueries({
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantLookup(),
      clock: systemClock,
    }),
);

const registrationTokens = /* @__PURE__ */ once(
  () => new DynamoRegistrationTokenStore(documentClient(), config().tableName),
);
const onboardingEnv = /* @__PURE__ */ once(() => loadOnboardingEnv());

export const onboardingService = /* @__PURE__ */ once(
  () =>
    new OnboardingService({
      tenants: tenantLookup(),
      tokens: registrationTokens(),
      clock: systemClock,
      random: cryptoRandom,
      regions: sdkRegionCatalog,
      trail: auditTrail(),
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

export const registrationService = /* @__PURE__ */ once(
  () =>
    new RegistrationService({
      accounts: accountService(),
      tokens: registrationTokens(),
      responder: new HttpCustomResourceResponder(),
      trail: auditTrail(),
      clock: systemClock,
      extraResponseOrigins: onboardingEnv().extraResponseOrigins,
      tenants: new DynamoTenantReader(documentClient(), config().tableName),
      confirmation: new StackConfirmation({
        gateway: new AwsStsGateway(),
        stacks: new AwsStackReader(),
        clock: systemClock,
        sleep: realSleep,
      }),
      confirmRetryBudgetMs: accessConfig().verifyRetryBudgetMs,
    }),
);

/** The emergency brake (freeze and unfreeze). */
export const emergencyBrake = /* @__PURE__ */ once(
  () =>
    new EmergencyBrake({
      metrics: metricsSink(),
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantLookup(),
      gateway: new AwsStsGateway(),
      brakes: new AwsRoleBrakeGateway(),
      audit: auditStore(),
      clock: systemClock,
      region: accessConfig().region,
    }),
);
