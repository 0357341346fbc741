/**
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles (esbuild `alias` in
 * serverless.yml). In Lambda, and under serverless-offline, a function's credentials are always
 * in its environment; the full provider chain (SSO, INI files, IMDS, web identity, process) is
 * ~80 KB of bundle that never runs, and cold starts pay to load it.
 * Tests and scripts, which are not bundled this way, keep the SDK's own chain.
 */
export const defaultProvider = (_init?: unknown) => async () => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw Object.assign(new Error("No AWS credentials in the environment"), {
      name: "CredentialsProviderError",
    });
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};
