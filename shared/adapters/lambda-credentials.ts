import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles (esbuild `alias` in
 * serverless.ts). In Lambda, and under serverless-offline, a function's credentials are always
 * in its environment: the SDK's own `fromEnv` reads them. The full provider chain (SSO, INI files,
 * IMDS, web identity, process) is ~80 KB of bundle that never runs, and cold starts pay to load it.
 * Tests and scripts, which are not bundled this way, keep the SDK's own chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
