import { inject } from "vitest";
import { LOCAL_AWS_ENV } from "../../scripts/local-stack";

// Every worker talks to the run's moto server through the SDK's standard endpoint variable,
// exactly as the functions do under serverless-offline.
Object.assign(process.env, LOCAL_AWS_ENV, {
  AWS_ENDPOINT_URL: inject("motoEndpoint"),
  TABLE_NAME: process.env.TABLE_NAME ?? "cp-test",
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
  // The cache would hide revocations between test steps that run in one process.
  API_KEY_CACHE_TTL_SECONDS: "0",
});
