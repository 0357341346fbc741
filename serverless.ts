/**
 * The whole deployable control plane: REST API, functions (each with its own least-privilege role)
 * and the DynamoDB table. osls (open-source Serverless Framework v3) loads this file; `npm start`
 * serves it locally with serverless-offline against moto.
 *
 * The functions are not written out here: each `functions/<area>/<name>.ts` declares its route,
 * its IAM statements and its settings beside its handler, and infra/functions.ts derives their
 * entries (handler, HTTP event, role). osls resolves the `${...}` variables after loading.
 */

import { accessRoleExtensions, loadFunctions, serverlessFunctions } from "./infra/functions";
import { xray } from "./infra/iam";
import { ACCESS_ROLE_PATH } from "./shared/domain/access-principal";

/** The stage-dependent environment of every function: `local` on the local stack, else `default`. */
const stageEnv = (name: string, fallback = `self:custom.stageEnv.default.${name}`) =>
  `\${self:custom.stageEnv.\${sls:stage}.${name}, ${fallback}}`;

const functions = loadFunctions();

const configuration = {
  service: "cross-account-control-plane",
  frameworkVersion: "3 || 4",

  plugins: [
    "serverless-esbuild",
    // After serverless-esbuild has zipped each function: its V8 code cache and entry module.
    "./infra/plugins/code-cache.js",
    "serverless-iam-roles-per-function",
    "./infra/plugins/drop-unused-shared-role.js",
    "./infra/plugins/api-stage-throttling.js",
    "serverless-offline",
    // `npm start` only: each function runs with its own role's session on the local AWS.
    ...(process.env.CP_LOCAL_FUNCTION_SESSIONS
      ? ["./tools/local-aws/offline-function-sessions.js"]
      : []),
  ],

  provider: {
    name: "aws",
    // The runtime is pinned to one version (docs/operations.md, "The Lambda runtime"): the code
    // cache in each zip is built with that version's Node.js (infra/lambda-runtime.json), and V8
    // accepts a cache only from its own build and flags. The pinned version moves only with a
    // rebuild of the caches.
    runtime: "nodejs22.x",
    architecture: "arm64",
    runtimeManagement: {
      mode: "manual",
      arn: "${file(infra/lambda-runtime.json):runtimeVersionArns.${self:provider.region}, 'arn:aws:lambda:${self:provider.region}::runtime:unrecorded'}",
    },
    memorySize: 512,
    timeout: 10,
    stage: "${opt:stage, 'dev'}",
    region: "${opt:region, 'us-east-1'}",
    logRetentionInDays: 30,
    apiGateway: { minimumCompressionSize: 1024 },
    tracing: { lambda: true },
    iam: {
      role: {
        // Inherited by every function's own role (custom.serverless-iam-roles-per-function):
        // Active tracing needs these, and X-Ray has no resource-level permissions.
        statements: [xray],
      },
    },
    environment: {
      TABLE_NAME: "${self:custom.tableName}",
      EXTERNAL_ID_OVERLAP_SECONDS: "${param:externalIdOverlapSeconds, '604800'}",
      API_KEY_CACHE_TTL_SECONDS: "${param:apiKeyCacheTtlSeconds, '30'}",
      MAX_BODY_BYTES: "16384",
      POWERTOOLS_SERVICE_NAME: "control-plane",
      POWERTOOLS_LOG_LEVEL: "${param:logLevel, 'INFO'}",
      CONTROL_PLANE_ACCOUNT_ID: stageEnv("CONTROL_PLANE_ACCOUNT_ID"),
      TEMPLATE_URL: stageEnv("TEMPLATE_URL"),
      REGISTRATION_TOPIC_ARN: stageEnv("REGISTRATION_TOPIC_ARN"),
      VERIFY_NEGATIVE_PROBE: stageEnv("VERIFY_NEGATIVE_PROBE"),
      VERIFY_RETRY_BUDGET_MS: "20000",
      REGISTRATION_TOKEN_TTL_SECONDS: "${param:registrationTokenTtlSeconds, '604800'}",
      AUDIT_RETENTION_DAYS: "${param:auditRetentionDays, '365'}",
      CUSTOM_RESOURCE_RESPONSE_ORIGINS: stageEnv("CUSTOM_RESOURCE_RESPONSE_ORIGINS", "''"),
      RATE_LIMIT_SESSIONS_PER_MINUTE: stageEnv("RATE_LIMIT_SESSIONS_PER_MINUTE"),
      RATE_LIMIT_TENANT_WRITES_PER_MINUTE: stageEnv("RATE_LIMIT_TENANT_WRITES_PER_MINUTE"),
      // Index shards of the lists that grow with customers (shared/adapters/sharded-index.ts):
      // fixed per deployment; changing it needs npm run backfill-index (docs/scale.md).
      INDEX_SHARDS: "${param:indexShards, '16'}",
      CURSOR_KEY_SECRET_ARN: stageEnv("CURSOR_KEY_SECRET_ARN"),
    },
  },

  custom: {
    tableName: "${self:service}-${sls:stage}",
    // Environment that differs on the local stack (serverless-offline + moto), where
    // CloudFormation references cannot be resolved; every other stage takes `default`.
    stageEnv: {
      default: {
        CONTROL_PLANE_ACCOUNT_ID: { Ref: "AWS::AccountId" },
        TEMPLATE_URL: {
          "Fn::Sub": "https://${TemplateBucket.RegionalDomainName}/tenant-role.yaml",
        },
        REGISTRATION_TOPIC_ARN: { Ref: "RegistrationTopic" },
        VERIFY_NEGATIVE_PROBE: "true",
        RATE_LIMIT_SESSIONS_PER_MINUTE: "${param:sessionsPerMinute, '600'}",
        RATE_LIMIT_TENANT_WRITES_PER_MINUTE: "${param:tenantWritesPerMinute, '120'}",
        CURSOR_KEY_SECRET_ARN: { Ref: "CursorKeySecret" },
      },
      local: {
        CONTROL_PLANE_ACCOUNT_ID: "123456789012",
        TEMPLATE_URL:
          "${env:CP_LOCAL_TEMPLATE_URL, 'http://127.0.0.1/cp-templates/tenant-role.yaml'}",
        REGISTRATION_TOPIC_ARN:
          "${env:CP_LOCAL_REGISTRATION_TOPIC_ARN, 'arn:aws:sns:us-east-1:123456789012:cp-registration'}",
        // The emulator decides AssumeRole as IAM does, so the probe runs locally too; only with
        // its evaluation switched off (CP_EMULATOR_IAM=off, debugging) does npm start turn it off.
        VERIFY_NEGATIVE_PROBE: "${env:CP_LOCAL_VERIFY_NEGATIVE_PROBE, 'true'}",
        CUSTOM_RESOURCE_RESPONSE_ORIGINS: "${env:CP_LOCAL_RESPONSE_ORIGINS, ''}",
        // The same limits as deployed; the fuzzer raises them so that its volume is not refused.
        RATE_LIMIT_SESSIONS_PER_MINUTE: "${env:CP_LOCAL_SESSIONS_PER_MINUTE, '600'}",
        RATE_LIMIT_TENANT_WRITES_PER_MINUTE: "${env:CP_LOCAL_TENANT_WRITES_PER_MINUTE, '120'}",
        // The secret npm start creates on the emulator (tools/local-aws/local-stack.ts).
        CURSOR_KEY_SECRET_ARN: "${env:CP_LOCAL_CURSOR_KEY_SECRET_ARN, ''}",
      },
    },
    // Deletion protection is on for every stage except throwaway ones.
    deletionProtection: { local: false, dev: false },
    // Stage-wide API Gateway throttling (infra/plugins/api-stage-throttling.js): requests per
    // second and burst across all routes and callers, before any function runs. The per-service
    // and per-tenant limits (RATE_LIMIT_*) are finer.
    apiThrottling: {
      rateLimit: "${param:apiRateLimit, 200}",
      burstLimit: "${param:apiBurstLimit, 400}",
    },
    tableDeletionPolicy: { local: "Delete", dev: "Delete" },
    esbuild: {
      bundle: true,
      minify: true,
      // No source maps in the package: they triple its size and slow cold starts.
      sourcemap: false,
      target: "node22",
      platform: "node",
      format: "cjs",
      // Every function is bundled on its own, with only what it imports; the SDK is bundled too
      // so that the version we test is the version we run.
      exclude: [],
      // ES module builds of the SDK tree-shake far better than its CommonJS builds.
      mainFields: ["module", "main"],
      // Lambda functions take their credentials from the environment; the SDK's full provider
      // chain (SSO, INI, IMDS, web identity: ~110 KB) is replaced by
      // shared/adapters/lambda-credentials.ts.
      alias: { "@aws-sdk/credential-provider-node": "./shared/adapters/lambda-credentials.ts" },
    },
    "serverless-iam-roles-per-function": { defaultInherit: true },
    "serverless-offline": {
      noPrependStageInUrl: true,
      httpPort: "${env:PORT, '3000'}",
      lambdaPort: "${env:LAMBDA_PORT, '3002'}",
      host: "127.0.0.1",
      reloadHandler: false,
    },
  },

  package: { individually: true },

  functions: serverlessFunctions(functions),

  resources: {
    // The execution roles of the functions that assume tenant roles live under the access path.
    extensions: accessRoleExtensions(functions, ACCESS_ROLE_PATH),
    Resources: {
      ControlPlaneTable: "${file(infra/control-plane/table.yml):table}",
      CursorKeySecret: "${file(infra/control-plane/table.yml):cursorKey}",
      RegistrationTopic: "${file(infra/control-plane/onboarding.yml):RegistrationTopic}",
      RegistrationTopicPolicy:
        "${file(infra/control-plane/onboarding.yml):RegistrationTopicPolicy}",
      TemplateBucket: "${file(infra/control-plane/onboarding.yml):TemplateBucket}",
      TemplateBucketPolicy: "${file(infra/control-plane/onboarding.yml):TemplateBucketPolicy}",
      AlarmTopic: "${file(infra/control-plane/alarms.yml):AlarmTopic}",
      AlarmTopicPolicy: "${file(infra/control-plane/alarms.yml):AlarmTopicPolicy}",
      FailedInvocationsQueue: "${file(infra/control-plane/alarms.yml):FailedInvocationsQueue}",
      FailedInvocationsQueuePolicy:
        "${file(infra/control-plane/alarms.yml):FailedInvocationsQueuePolicy}",
      FailedInvocationsAlarm: "${file(infra/control-plane/alarms.yml):FailedInvocationsAlarm}",
      ApiServerErrorsAlarm: "${file(infra/control-plane/alarms.yml):ApiServerErrorsAlarm}",
      HealthSweepErrorsAlarm: "${file(infra/control-plane/alarms.yml):HealthSweepErrorsAlarm}",
      OrganizationSyncErrorsAlarm:
        "${file(infra/control-plane/alarms.yml):OrganizationSyncErrorsAlarm}",
      RegistrationErrorsAlarm: "${file(infra/control-plane/alarms.yml):RegistrationErrorsAlarm}",
      FunctionThrottlesAlarm: "${file(infra/control-plane/alarms.yml):FunctionThrottlesAlarm}",
      SweepLateAlarm: "${file(infra/control-plane/alarms.yml):SweepLateAlarm}",
      SweepOverrunAlarm: "${file(infra/control-plane/alarms.yml):SweepOverrunAlarm}",
      AssumeRoleThrottledAlarm: "${file(infra/control-plane/alarms.yml):AssumeRoleThrottledAlarm}",
      CodeCacheRejectedAlarm: "${file(infra/control-plane/alarms.yml):CodeCacheRejectedAlarm}",
    },
    Outputs: {
      ControlPlaneTableName: { Value: { Ref: "ControlPlaneTable" } },
      TemplateBucketName: { Value: { Ref: "TemplateBucket" } },
      RegistrationTopicArn: { Value: { Ref: "RegistrationTopic" } },
      // Subscribe to it (email, chat, paging) to hear the alarms: docs/operations.md.
      AlarmTopicArn: { Value: { Ref: "AlarmTopic" } },
      FailedInvocationsQueueUrl: { Value: { Ref: "FailedInvocationsQueue" } },
    },
  },
};

export default configuration;
