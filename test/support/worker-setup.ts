import { inject } from "vitest";
import { documentClient } from "../../shared/wiring/common";
import { emulatorIamOff, LOCAL_AWS_ENV } from "../../tools/local-aws/local-stack";
import { enforceFunctionPolicies } from "./function-iam";

// Every worker talks to the run's moto server through the SDK's standard endpoint variable, and
// as the control plane's access role (a session of it), exactly as the functions do under
// serverless-offline: the emulator evaluates tenants' trust policies against that principal.
Object.assign(process.env, LOCAL_AWS_ENV, inject("accessSession"), {
  AWS_ENDPOINT_URL: inject("motoEndpoint"),
  TABLE_NAME: process.env.TABLE_NAME ?? "cp-test",
  CURSOR_KEY_SECRET_ARN: inject("cursorKeySecretArn"),
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  // Limits far above what a test sends; test/integration/rate-limit.test.ts sets its own.
  RATE_LIMIT_SESSIONS_PER_MINUTE: process.env.RATE_LIMIT_SESSIONS_PER_MINUTE ?? "100000",
  RATE_LIMIT_TENANT_WRITES_PER_MINUTE: process.env.RATE_LIMIT_TENANT_WRITES_PER_MINUTE ?? "100000",
  // CloudWatch metrics lines would only clutter the test output.
  POWERTOOLS_METRICS_DISABLED: "true",
  // The cache would hide revocations between test steps that run in one process.
  API_KEY_CACHE_TTL_SECONDS: "0",
  // The control plane's own account on the emulator, and onboarding settings of the local stage.
  CONTROL_PLANE_ACCOUNT_ID: "123456789012",
  TEMPLATE_URL:
    process.env.TEMPLATE_URL ?? "https://cp-templates.s3.us-east-1.amazonaws.com/tenant-role.yaml",
  REGISTRATION_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:cp-registration",
  VERIFY_RETRY_BUDGET_MS: "0",
  // The negative probe asks the emulator's IAM; with its evaluation switched off (debugging
  // only) every role would look as if it accepted a missing external ID.
  ...(emulatorIamOff() ? { VERIFY_NEGATIVE_PROBE: "false" } : {}),
});

// Each function's DynamoDB calls under its own role's statements (test/support/function-iam.ts).
enforceFunctionPolicies(documentClient());
