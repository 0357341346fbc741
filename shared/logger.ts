import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one logger. Request logs carry the request ID (`correlation_id`: what clients see in
 * x-request-id and error bodies), method, route, status, keyId, role and tenantId: never headers,
 * bodies, API key secrets, or credentials.
 */
export const logger = new Logger({ serviceName: "control-plane" });
