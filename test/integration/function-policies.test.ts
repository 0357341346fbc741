import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { denials, overrideStatements, type Statement, statementsOf } from "../support/function-iam";
import { seedKey, snapshot, useFreshTable } from "../support/table";

/**
 * Every handler the integration tier calls runs its DynamoDB calls under its own role from
 * its module, as serverless.ts deploys it (test/support/function-iam.ts). These tests show that the check is on: take a
 * permission away from one function and its route fails as it would on AWS, changing nothing.
 */
let table: string;
let admin: string;
let restore: (() => void) | undefined;

beforeAll(async () => {
  table = await useFreshTable("function-policies");
  admin = (await seedKey(table, { role: "admin" })).secret;
  expect(
    (await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Acme" } })).status,
  ).toBe(201);
});

afterEach(() => {
  restore?.();
  restore = undefined;
  denials.length = 0;
});

const isIndexStatement = (s: Statement) => s.Resource.includes("index");

describe("each function's DynamoDB calls under its own role", () => {
  it("listTenants as declared: it reads the shards of the index's TENANT list", async () => {
    const res = await api({ method: "GET", path: "/v1/tenants", key: admin });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(denials).toEqual([]);
  });

  it("listTenants without its index statement: AccessDenied, a 500, nothing listed", async () => {
    restore = overrideStatements(
      "listTenants",
      (await statementsOf("listTenants")).filter((s) => !isIndexStatement(s)),
    );
    const res = await api({ method: "GET", path: "/v1/tenants", key: admin });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL_ERROR");
    expect(denials).toEqual([
      {
        functionName: "listTenants",
        // The first shard is refused: nothing more is read.
        request: { action: "Query", resource: "index", leadingKeys: ["INDEX#TENANT#000"] },
      },
    ]);
  });

  it("listTenants allowed only another list of the index (ACCOUNT): refused", async () => {
    restore = overrideStatements(
      "listTenants",
      (await statementsOf("listTenants")).map((s) =>
        isIndexStatement(s)
          ? {
              ...s,
              Condition: {
                "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["INDEX#ACCOUNT#*"] },
              },
            }
          : s,
      ),
    );
    expect((await api({ method: "GET", path: "/v1/tenants", key: admin })).status).toBe(500);
    expect(denials.map((d) => d.request.leadingKeys)).toEqual([["INDEX#TENANT#000"]]);
  });

  it("createTenant without the EXTID# prefix: the transaction is refused and nothing is written", async () => {
    const before = await snapshot(table);
    restore = overrideStatements(
      "createTenant",
      (await statementsOf("createTenant")).map((s) =>
        s.Action.includes("dynamodb:ConditionCheckItem")
          ? {
              ...s,
              Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["TENANT#*"] } },
            }
          : s,
      ),
    );
    const res = await api({
      method: "POST",
      path: "/v1/tenants",
      key: admin,
      body: { name: "Nope" },
    });
    expect(res.status).toBe(500);
    expect(denials[0]?.request.leadingKeys[0]).toMatch(/^EXTID#/);
    expect(await snapshot(table)).toEqual(before);
  });
});
