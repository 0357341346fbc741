/**
 * The packaged template's functions, as a snapshot that survives a repackaging: every function's
 * resources (function, role, log group, HTTP method and path, permissions, schedules,
 * subscriptions, invoke configs) with what changes on every build (code keys and hashes, version
 * and deployment IDs) taken out, and lists whose order means nothing (statements, DependsOn)
 * sorted. test/infra/package.test.ts compares a fresh package with the snapshot in
 * test/fixtures/packaged-functions.json.
 */

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };

const FUNCTION_TYPES = new Set([
  "AWS::Lambda::Function",
  "AWS::IAM::Role",
  "AWS::Logs::LogGroup",
  "AWS::Lambda::Permission",
  "AWS::ApiGateway::Method",
  "AWS::ApiGateway::Resource",
  "AWS::Events::Rule",
  "AWS::SNS::Subscription",
  "AWS::Lambda::EventInvokeConfig",
]);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
};

const sortedByJson = (list: unknown[]) =>
  list.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The normalized function resources of a packaged template, by logical ID. */
export function functionResources(template: {
  Resources: Record<string, Resource>;
}): Record<string, unknown> {
  // Names that change with each build: Lambda versions (by code hash) and the API's deployment.
  const text = JSON.stringify(template)
    .replace(/LambdaVersion[A-Za-z0-9]{20,}/g, "LambdaVersion")
    .replace(/ApiGatewayDeployment\d+/g, "ApiGatewayDeployment")
    .replace(/"S3Key":"[^"]*"/g, '"S3Key":"<build>"');
  const resources = (JSON.parse(text) as { Resources: Record<string, Resource> }).Resources;
  const out: Record<string, unknown> = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!FUNCTION_TYPES.has(resource.Type)) continue;
    const copy = structuredClone(resource);
    if (Array.isArray(copy.DependsOn)) copy.DependsOn = [...copy.DependsOn].sort();
    if (copy.Type === "AWS::IAM::Role") {
      for (const policy of (copy.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: unknown[] };
      }[])
        policy.PolicyDocument.Statement = sortedByJson(policy.PolicyDocument.Statement);
    }
    out[id] = canonical(copy);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
