import { describe, expect, it } from "vitest";
import {
  accessRoleExtensions,
  type ControlPlaneFunction,
  controlPlaneFunctions,
  type FunctionModule,
  routeStatements,
  serverlessFunctions,
  statementsOf,
} from "../../../infra/functions";
import {
  authenticate,
  idempotency,
  onIndex,
  onTable,
  rateLimit,
  tableArn,
  tableIndexArn,
  tenantRoleAccess,
} from "../../../infra/iam";
import type { RouteDef } from "../../../shared/http/route-def";

/** infra/functions.ts: what serverless.ts, the OpenAPI document and the tests derive from modules. */
const handler = async () => undefined;
const route = (over: Partial<RouteDef> = {}): RouteDef => ({
  operationId: "getThing",
  method: "GET",
  path: "/v1/things/{thingId}",
  summary: "Read a thing",
  tag: "things",
  auth: ["admin"],
  success: { status: 200, description: "The thing." },
  errors: {},
  ...over,
});
const own = onTable(["dynamodb:GetItem"], ["THING#*"]);
const fn = (over: Partial<ControlPlaneFunction> = {}): ControlPlaneFunction => ({
  name: "getThing",
  area: "things",
  file: "functions/things/getThing.ts",
  route: route(),
  deployment: { iam: [own] },
  ...over,
});

describe("the function modules", () => {
  it("are named by their file, and checked against their route", () => {
    const mod: Partial<FunctionModule> = { handler, route: route(), deployment: { iam: [own] } };
    expect(controlPlaneFunctions({ "functions/things/getThing.ts": mod })).toEqual([fn()]);
    expect(() => controlPlaneFunctions({ "functions/things/readThing.ts": mod })).toThrow(
      /operationId is getThing, not readThing/,
    );
    expect(() => controlPlaneFunctions({ "functions/stuff/getThing.ts": mod })).toThrow(
      /tag is things, not its area stuff/,
    );
    expect(() =>
      controlPlaneFunctions({ "functions/things/getThing.ts": { ...mod, deployment: undefined } }),
    ).toThrow(/exports no deployment/);
    expect(() =>
      controlPlaneFunctions({ "functions/things/getThing.ts": { ...mod, handler: undefined } }),
    ).toThrow(/exports no handler/);
    expect(() => controlPlaneFunctions({ "shared/things/getThing.ts": mod })).toThrow(
      /not a function module/,
    );
  });

  it.each([
    ["a public route", { auth: "public" as const }, []],
    ["an authenticated route", {}, [authenticate]],
    ["an idempotent one", { idempotent: true }, [authenticate, idempotency]],
    ["a rate-limited one", { rateLimit: "tenant" as const }, [authenticate, rateLimit]],
    [
      "both",
      { idempotent: true, rateLimit: "service" as const },
      [authenticate, idempotency, rateLimit],
    ],
  ])("give %s the statements the HTTP pipeline needs", (_name, over, expected) => {
    expect(routeStatements(route(over))).toEqual(expected);
  });

  it("give an event function only its own statements", () => {
    expect(routeStatements(undefined)).toEqual([]);
    const { route: _r, ...event } = fn();
    expect(statementsOf(event)).toEqual([own]);
  });

  it("become serverless functions: handler, HTTP event, settings and role", () => {
    const schedule = { schedule: { rate: "rate(5 minutes)" } };
    const { route: _r, ...event } = fn({
      name: "sweepThings",
      file: "functions/things/sweepThings.ts",
      deployment: { iam: [own], timeout: 900, events: [schedule] },
    });
    expect(serverlessFunctions([fn(), event])).toEqual({
      getThing: {
        handler: "functions/things/getThing.handler",
        events: [{ http: { method: "get", path: "v1/things/{thingId}" } }],
        iamRoleStatements: [authenticate, own],
      },
      sweepThings: {
        handler: "functions/things/sweepThings.handler",
        timeout: 900,
        events: [schedule],
        iamRoleStatements: [own],
      },
    });
  });

  it("put the roles of exactly the functions that assume tenant roles under the access path", () => {
    const assuming = fn({ name: "verifyThing", deployment: { iam: [tenantRoleAccess, own] } });
    expect(accessRoleExtensions([fn(), assuming], "/control-plane/access/")).toEqual({
      VerifyThingIamRoleLambdaExecution: { Properties: { Path: "/control-plane/access/" } },
    });
  });
});

describe("the IAM vocabulary", () => {
  it("confines table and index statements to their leading keys", () => {
    expect(onTable(["dynamodb:PutItem"], ["TENANT#*"])).toEqual({
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: tableArn,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["TENANT#*"] } },
    });
    expect(onIndex(["dynamodb:Query"], ["PERMSET"], true)).toEqual({
      Effect: "Allow",
      Action: ["dynamodb:Query"],
      Resource: tableIndexArn,
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["PERMSET"] } },
    });
  });
});
