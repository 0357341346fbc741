import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TABLE_KEYS } from "../../shared/adapters/table";
import { routes } from "../../shared/http/routes";
import { ROOT } from "../../tools/local-aws/local-stack";
import { httpEvents, serverlessConfig } from "../support/serverless-config";

describe("serverless.yml", () => {
  const config = serverlessConfig();

  it("exposes exactly the routes of shared/http/routes.ts", () => {
    const deployed = httpEvents()
      .map((e) => `${e.method} ${e.path}`)
      .sort();
    const documented = Object.values(routes)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(deployed).toEqual(documented);
  });

  it("names each function after its operation, and every handler file exists", () => {
    for (const e of httpEvents()) {
      const route = Object.values(routes).find((r) => r.method === e.method && r.path === e.path);
      expect(route?.operationId).toBe(e.functionName);
      const file = e.handler.slice(0, e.handler.lastIndexOf("."));
      expect(existsSync(join(ROOT, `${file}.ts`)), file).toBe(true);
    }
  });

  it("lets exactly the rate-limited routes' functions count requests", () => {
    const limited = (Object.values(routes) as { operationId: string; rateLimit?: string }[])
      .filter((r) => r.rateLimit !== undefined)
      .map((r) => r.operationId)
      .sort();
    const counting = Object.entries(config.functions)
      .filter(([, fn]) => JSON.stringify(fn.iamRoleStatements).includes("iam.yml):rateLimit}"))
      .map(([name]) => name)
      .sort();
    expect(limited.length).toBeGreaterThan(0);
    expect(counting).toEqual(limited);
  });

  it("uses the nodejs22.x runtime", () => {
    expect((config.provider as { runtime: string }).runtime).toBe("nodejs22.x");
  });

  it("gives every function its own role, with no wildcard actions or resources", () => {
    const shared = parse(readFileSync(join(ROOT, "infra/control-plane/iam.yml"), "utf8"));
    for (const [name, fn] of Object.entries(config.functions)) {
      const statements = (fn.iamRoleStatements ?? []) as unknown[];
      expect(statements.length, name).toBeGreaterThan(0);
      const resolved = statements.map((s) =>
        typeof s === "string" && s.startsWith("${file(infra/control-plane/iam.yml):")
          ? shared[s.slice(s.indexOf("):") + 2, -1)]
          : s,
      ) as { Effect: string; Action: string[]; Resource: unknown }[];
      for (const st of resolved) {
        expect(st.Effect, name).toBe("Allow");
        for (const action of st.Action) expect(action, name).not.toMatch(/\*/);
        expect(JSON.stringify(st.Resource), name).not.toBe('"*"');
      }
    }
  });

  it("only the functions that need a table write can write", () => {
    const writers = Object.entries(config.functions)
      .filter(([, fn]) =>
        JSON.stringify(fn.iamRoleStatements).match(/PutItem|UpdateItem|DeleteItem|BatchWriteItem/),
      )
      .map(([name]) => name)
      .sort();
    expect(writers).toEqual([
      "connectOrganization",
      "createApiKey",
      "createGrant",
      "createOnboardingLink",
      "createSession",
      "createTenant",
      "deleteAccount",
      "deleteGrant",
      "deletePermissionSet",
      "deleteTenant",
      "disconnectOrganization",
      "freezeAccount",
      "healthSweep",
      "organizationJob",
      "patchAccount",
      "putPermissionSet",
      "registerAccount",
      "registration",
      "resumeTenant",
      "revokeApiKey",
      "rotateExternalId",
      "suspendTenant",
      "syncOrgs",
      "unfreezeAccount",
      "verifyAccount",
    ]);
  });

  it("declares the table with the keys the adapters use, on demand, with PITR, encryption and TTL", () => {
    const table = parse(readFileSync(join(ROOT, "infra/control-plane/table.yml"), "utf8")).table
      .Properties;
    expect(table.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
    ]);
    expect(table.GlobalSecondaryIndexes[0].IndexName).toBe(TABLE_KEYS.gsi1.name);
    expect(table.GlobalSecondaryIndexes[0].KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: "RANGE" },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_KEYS.ttlAttribute,
      Enabled: true,
    });
    expect(table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(table.SSESpecification.SSEEnabled).toBe(true);
  });
});
