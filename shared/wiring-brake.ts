import { AwsRoleBrakeGateway } from "./adapters/aws-role-brake-gateway";
import { AwsStsGateway } from "./adapters/aws-sts-gateway";
import { DynamoAccountStore } from "./adapters/dynamo-account-store";
import { systemClock } from "./adapters/system";
import { EmergencyBrake } from "./services/emergency-brake";
import { accessConfig, auditStore, config, documentClient, once, tenantService } from "./wiring";

/** Composition root of the emergency brake (freeze and unfreeze). */
export const emergencyBrake = /* @__PURE__ */ once(
  () =>
    new EmergencyBrake({
      accounts: new DynamoAccountStore(documentClient(), config().tableName),
      tenants: tenantService(),
      gateway: new AwsStsGateway(),
      brakes: new AwsRoleBrakeGateway(),
      audit: auditStore(),
      clock: systemClock,
      region: accessConfig().region,
    }),
);
