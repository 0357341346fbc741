import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { denials, overrideStatements, type Statement, statementsOf } from "../support/function-iam";
import { seedKey, snapshot, useFreshTable } from "../support/table";

/**
 * Every handler the integration tier calls runs its DynamoDB calls under its own role from its
 * module, as serverless.ts deploys it, decided by the local AWS (test/support/function-iam.ts).
 * These tests show that the check is on: take a permission away from one function's role and
 * its route fails as it would on AWS, changing nothing.
 */
let table: string;
let admin: string;
let restore: (() => Promise<void>) | undefined;

beforeAll(async () => {
  table = await useFreshTable("function-policies");
  admin = (await seedKey(table, { role: "admin" })).secret;
  expect(
    (await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name: "Acme" } })).status,
  ).toBe(201);
});

afterEach(async () => {
  await restore?.();
  restore = undefined;
  denials.length = 0;
});

const isIndexStatement = (s: Statement) => JSON.stringify(s.Resource).includes("/index/");
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("each function's DynamoDB calls under its own role", () => {
  it("listTenants as declared: it reads the shards of the index's TENANT list", async () => {
    const res = await api({ method: "GET", path: "/v1/tenants", key: admin });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(denials).toEqual([]);
  });

  it("listTenants without its index statement: AccessDenied, a 500, nothing listed", async () => {
    restore = await overrideStatements(
      "listTenants",
      (await statementsOf("listTenants")).filter((s) => !isIndexStatement(s)),
    );
    const res = await api({ method: "GET", path: "/v1/tenants", key: admin });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL_ERROR");
    // The first shard is refused: nothing more is read.
    expect(denials).toEqual([
      {
        functionName: "listTenants",
        message: expect.stringMatching(
          /not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/[\w-]+\/index\/GSI1 because no identity-based policy allows/,
        ),
      },
    ]);
  });

  it("listTenants allowed only another list of the index (ACCOUNT): refused", async () => {
    restore = await overrideStatements(
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
    // Refused on its leading key (INDEX#TENANT#000, the first shard), the one call it made.
    expect(denials.map((d) => d.message)).toEqual([
      expect.stringMatching(/dynamodb:Query on resource: \S+\/index\/GSI1 /),
    ]);
  });

  it("createTenant without the EXTID# prefix: the transaction is refused and nothing is written", async () => {
    const before = await snapshot(table);
    restore = await overrideStatements(
      "createTenant",
      (await statementsOf("createTenant")).map((s) =>
        actions(s).includes("dynamodb:ConditionCheckItem")
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
    // The transaction's item on EXTID#<id>: one refused item refuses it all.
    expect(denials[0]?.message).toMatch(
      /dynamodb:(PutItem|ConditionCheckItem) on resource: \S+:table\/function-policies-/,
    );
    expect(await snapshot(table)).toEqual(before);
  });
});
