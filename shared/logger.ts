import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one logger. Request logs carry method, route, status, keyId and tenantId: never headers,
 * bodies, API key secrets, or credentials.
 */
export const logger = new Logger({ serviceName: "control-plane" });
