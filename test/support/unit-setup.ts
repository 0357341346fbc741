import { afterEach, vi } from "vitest";

// The unit tier runs without the emulator and without network: any AWS call that a test did not
// mock goes to a closed local port and fails at once, instead of reaching anything.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: "unit",
  AWS_SECRET_ACCESS_KEY: "unit",
  AWS_REGION: "us-east-1",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_MAX_ATTEMPTS: "1",
  TABLE_NAME: process.env.TABLE_NAME ?? "cp-unit",
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
  POWERTOOLS_METRICS_DISABLED: "true",
  API_KEY_CACHE_TTL_SECONDS: "0",
  CONTROL_PLANE_ACCOUNT_ID: "123456789012",
  TEMPLATE_URL: "https://cp-templates.s3.us-east-1.amazonaws.com/tenant-role.yaml",
  REGISTRATION_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:cp-registration",
  VERIFY_RETRY_BUDGET_MS: "0",
  VERIFY_NEGATIVE_PROBE: "true",
  // Node 20 is what this machine has; the SDK's notice about Node 22 is noise in test output.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});

// The files of a worker share what Node loaded (the AWS SDK, zod, middy: vitest.config.ts), not
// the project's modules: each file gets its own logger, wiring and caches, as in a process of its
// own. No spy and no fake clock outlives its test.
vi.resetModules();
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});
