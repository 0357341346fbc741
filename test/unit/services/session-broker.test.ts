import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, ThrottlingException } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../../../scripts/local-stack";
import { AwsTenantRoleGateway } from "../../../shared/adapters/aws-tenant-role-gateway";
import { DynamoAccountStore } from "../../../shared/adapters/dynamo-account-store";
import { DynamoAuditStore } from "../../../shared/adapters/dynamo-audit-store";
import { DynamoBrokerStore } from "../../../shared/adapters/dynamo-broker-store";
import { createDocumentClient } from "../../../shared/adapters/dynamo-client";
import { DynamoPermissionSetStore } from "../../../shared/adapters/dynamo-permission-set-store";
import { roleSessionName } from "../../../shared/domain/session";
import { BadGatewayError, ServiceUnavailableError } from "../../../shared/errors";
import { type BrokeredSession, SessionBroker } from "../../../shared/services/session-broker";
import { SessionCache } from "../../../shared/services/session-cache";
import { ManualClock } from "../../support/fakes";

const doc = createDocumentClient(new DynamoDBClient({ region: "us-east-1", maxAttempts: 1 }));
const ddb = mockClient(doc);
const sts = mockClient(STSClient);

/** The state a session request is decided on: test/fixtures/broker-state.json (shared with the bench). */
const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/broker-state.json"), "utf8"));
const T: string = fixture.tenantId;
const A: string = fixture.accountId;
const ROLE = `arn:aws:iam::${A}:role/Access`;
const items: Record<string, unknown>[] = fixture.items;

let clock: ManualClock;
function broker() {
  return new SessionBroker({
    store: new DynamoBrokerStore(doc, "t"),
    permissionSets: new DynamoPermissionSetStore(doc, "t"),
    accounts: new DynamoAccountStore(doc, "t"),
    audit: new DynamoAuditStore(doc, "t", 86400),
    gateway: new AwsTenantRoleGateway({ maxAttempts: 1 }),
    cache: new SessionCache<BrokeredSession & { expiration: Date }>(),
    clock,
    defaultRegion: "eu-west-1",
  });
}
const caller = { keyId: "key_1", service: "billing" };
const request = { tenantId: T, accountId: A, permissionSet: "read", durationSeconds: 900 };
const stsOk = (expires = new Date(Date.parse("2026-11-23T10:00:00.000Z") + 900_000)) => ({
  Credentials: {
    AccessKeyId: "ASIA1",
    SecretAccessKey: "secret",
    SessionToken: "token",
    Expiration: expires,
  },
  AssumedRoleUser: {
    Arn: `arn:aws:sts::${A}:assumed-role/Access/billing-req1`,
    AssumedRoleId: "AROA:billing-req1",
  },
});

beforeEach(() => {
  ddb.reset();
  sts.reset();
  clock = new ManualClock(new Date("2026-11-23T10:00:00.000Z"));
  ddb.on(BatchGetCommand).resolves({ Responses: { t: items } });
  ddb.on(PutCommand).resolves({});
  ddb.on(GetCommand).resolves({ Item: items[3] });
  ddb.on(UpdateCommand).resolves({});
});

describe("SessionBroker", () => {
  it("decides on one BatchGetItem and calls STS with the tenant's external ID, source identity, tags and policy", async () => {
    sts.on(AssumeRoleCommand).resolves(stsOk());
    const s = await broker().issue(caller, request, "req1-abcdefgh-ijkl");
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(
      ddb.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.t?.ConsistentRead,
    ).toBe(true);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: "billing-req1-abcdefg",
      DurationSeconds: 900,
      ExternalId: "cpx-current",
      SourceIdentity: "billing",
      Tags: [
        { Key: "tenant", Value: T },
        { Key: "service", Value: "billing" },
      ],
      Policy: items[3]?.policy,
    });
    expect(s).toMatchObject({
      cacheHit: false,
      sessionName: "billing-req1-abcdefg",
      assumedRoleArn: `arn:aws:sts::${A}:assumed-role/Access/billing-req1`,
    });
  });

  it("during a rotation's overlap presents the ID the role last accepted, then the other, and records the one accepted", async () => {
    const rotated = items.map((item, i) =>
      i === 0
        ? {
            ...item,
            externalId: {
              current: "cpx-new",
              currentSince: "2026-11-23T09:30:00.000Z",
              previous: "cpx-current",
              previousValidUntil: "2026-11-30T09:30:00.000Z",
            },
          }
        : i === 1
          ? { ...item, acceptedExternalId: "cpx-current" }
          : item,
    );
    ddb.on(BatchGetCommand).resolves({ Responses: { t: rotated } });
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDenied" });
    sts.on(AssumeRoleCommand, { ExternalId: "cpx-current" }).rejects(denied);
    sts.on(AssumeRoleCommand, { ExternalId: "cpx-new" }).resolves(stsOk());
    await broker().issue(caller, request, "req-rot");
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId)).toEqual([
      "cpx-current",
      "cpx-new",
    ]);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression: "SET acceptedExternalId = :id",
      ExpressionAttributeValues: { ":id": "cpx-new", ":roleArn": ROLE },
    });
  });

  it("records nothing when the role accepted the ID already recorded", async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        t: items.map((it, i) => (i === 1 ? { ...it, acceptedExternalId: "cpx-current" } : it)),
      },
    });
    sts.on(AssumeRoleCommand).resolves(stsOk());
    await broker().issue(caller, request, "req-same");
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("a brake change (freeze or unfreeze) is a cache miss: no session from before it is handed out", async () => {
    sts.on(AssumeRoleCommand).resolves(stsOk());
    const b = broker();
    await b.issue(caller, request, "r1");
    expect((await b.issue(caller, request, "r2")).cacheHit).toBe(true);
    ddb.on(BatchGetCommand).resolves({
      Responses: { t: items.map((it, i) => (i === 1 ? { ...it, brakeGeneration: 2 } : it)) },
    });
    expect((await b.issue(caller, request, "r3")).cacheHit).toBe(false);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("makes one STS call for K concurrent identical requests", async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return stsOk();
    });
    const b = broker();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => b.issue(caller, request, `req-${i}`)),
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(new Set(results.map((r) => r.credentials.accessKeyId))).toEqual(new Set(["ASIA1"]));
    expect(results.filter((r) => !r.cacheHit)).toHaveLength(1);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(10);
  });

  it("reuses credentials until 5 minutes before they expire", async () => {
    sts.on(AssumeRoleCommand).resolves(stsOk());
    const b = broker();
    await b.issue(caller, request, "r1");
    clock.advance(9 * 60_000); // 6 minutes left
    expect((await b.issue(caller, request, "r2")).cacheHit).toBe(true);
    clock.advance(2 * 60_000); // 4 minutes left: refresh
    expect((await b.issue(caller, request, "r3")).cacheHit).toBe(false);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("returns no credentials when the audit write fails (fail closed)", async () => {
    sts.on(AssumeRoleCommand).resolves(stsOk());
    ddb.on(PutCommand).rejects(new ThrottlingException({ message: "slow", $metadata: {} }));
    const err = await broker()
      .issue(caller, request, "r1")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(JSON.stringify(err)).not.toContain("secret");
  });

  it("maps access denied to 502 TENANT_ROLE_DENIED and marks the account for re-verification", async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
    const err = await broker()
      .issue(caller, request, "r1")
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadGatewayError);
    expect(err.code).toBe("TENANT_ROLE_DENIED");
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ PK: `TENANT#${T}`, SK: `ACCOUNT#${A}` });
    expect(update?.ExpressionAttributeValues?.[":failed"]).toBe("FAILED");
    const audited = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
    expect(audited[0]).toMatchObject({ outcome: "FAILED", code: "TENANT_ROLE_DENIED" });
  });

  it.each([
    [
      "throttling",
      Object.assign(new Error("Rate exceeded"), { name: "Throttling" }),
      "STS_THROTTLED",
    ],
    [
      "a timeout",
      Object.assign(new Error("socket hang up"), { name: "TimeoutError" }),
      "SERVICE_UNAVAILABLE",
    ],
    [
      "a connection reset",
      Object.assign(new Error("reset"), { code: "ECONNRESET" }),
      "SERVICE_UNAVAILABLE",
    ],
    [
      "a server fault",
      Object.assign(new Error("oops"), { name: "InternalFailure", $fault: "server" }),
      "SERVICE_UNAVAILABLE",
    ],
  ])("maps STS %s to 503 with Retry-After, audited, no credentials", async (_what, fault, code) => {
    sts.on(AssumeRoleCommand).rejects(fault);
    const err = await broker()
      .issue(caller, request, "r1")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.code).toBe(code);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    const audited = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: "FAILED" });
    expect(JSON.stringify(audited[0])).not.toContain("SecretAccessKey");
  });

  it("reads the grant's only permission set when none is named", async () => {
    sts.on(AssumeRoleCommand).resolves(stsOk());
    const { permissionSet: _p, ...noSet } = request;
    await broker().issue(caller, noSet, "r1");
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      PK: "PERMSET#read",
      SK: "PERMSET",
    });
  });
});

describe("role session names", () => {
  it.each([
    ["billing", "3b5d3d4e-0f7a-4d5e", "billing-3b5d3d4e-0f7"],
    ["svc@team.example", "abc", "svc@team.example-abc"],
    ["a".repeat(32), "f".repeat(40), `${"a".repeat(32)}-${"f".repeat(12)}`],
    ["billing", "req id/with:odd chars", "billing-reqidwithodd"],
    ["billing", "###", "billing-session"],
  ])("%s + %s → %s", (service, requestId, expected) => {
    const name = roleSessionName(service, requestId);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
