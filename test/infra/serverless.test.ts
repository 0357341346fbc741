import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../infra/functions";
import { TABLE_KEYS } from "../../shared/adapters/table";
import { ACCESS_ROLE_PATH } from "../../shared/domain/access-principal";
import { serverlessConfig } from "../support/serverless-config";

/** serverless.ts as osls loads it: its functions derived from the function modules. */
describe("serverless.ts", () => {
  const config = serverlessConfig();
  const functions = Object.entries(config.functions);

  it("has one function per module of functions/, named after its file, and every handler exists", () => {
    expect(functions.length).toBe(40);
    for (const [name, fn] of functions) {
      const file = fn.handler.slice(0, fn.handler.lastIndexOf("."));
      expect(file.endsWith(`/${name}`), name).toBe(true);
      expect(existsSync(join(ROOT, `${file}.ts`)), file).toBe(true);
    }
  });

  it("loads its function modules with no environment at all, as packaging does", () => {
    // No TABLE_NAME, no AWS_*: a module that reads its configuration at import fails here.
    const out = execFileSync(
      join(ROOT, "node_modules/.bin/tsx"),
      ["-e", 'console.log(require("./infra/functions").loadFunctions().length)'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" }, encoding: "utf8" },
    );
    expect(out.trim()).toBe("40");
  });

  it("uses the nodejs22.x runtime", () => {
    expect((config.provider as { runtime: string }).runtime).toBe("nodejs22.x");
  });

  it("gives every function its own role, with no wildcard actions or resources", () => {
    for (const [name, fn] of functions) {
      const statements = fn.iamRoleStatements ?? [];
      expect(statements.length, name).toBeGreaterThan(0);
      for (const st of statements) {
        expect(st.Effect, name).toBe("Allow");
        for (const action of st.Action) expect(action, name).not.toMatch(/\*/);
        expect(JSON.stringify(st.Resource), name).not.toBe('"*"');
      }
    }
  });

  it("puts exactly the roles of the functions that assume tenant roles under the access path", () => {
    const assuming = functions
      .filter(([, fn]) => JSON.stringify(fn.iamRoleStatements).includes('"sts:AssumeRole"'))
      .map(([name]) => `${name[0]?.toUpperCase()}${name.slice(1)}IamRoleLambdaExecution`)
      .sort();
    const extensions = config.resources.extensions as Record<
      string,
      { Properties: { Path: string } }
    >;
    expect(Object.keys(extensions).sort()).toEqual(assuming);
    for (const ext of Object.values(extensions)) expect(ext.Properties.Path).toBe(ACCESS_ROLE_PATH);
    // patchAccount verifies a changed role ARN by assuming it: its role needs the path too.
    expect(assuming).toContain("PatchAccountIamRoleLambdaExecution");
  });

  it("only the functions that need a table write can write", () => {
    const writers = functions
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
