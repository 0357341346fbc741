import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsTenantRoleGateway } from "../../../shared/adapters/aws-tenant-role-gateway";
import { realSleep, systemClock } from "../../../shared/adapters/system";
import { parseRoleArn, type RoleArn } from "../../../shared/domain/arn";
import { RoleVerifier } from "../../../shared/services/role-verifier";

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const ROLE = parseRoleArn("arn:aws:iam::012345678901:role/Access") as RoleArn;
const PATTERN = "arn:aws:iam::123456789012:role/control-plane/access/*";
const goodPolicy = (
  externalId = "cpx-current",
  principal: unknown = { AWS: "arn:aws:iam::123456789012:root" },
) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: principal,
      Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
      Condition: {
        StringEquals: { "sts:ExternalId": externalId },
        ArnLike: { "aws:PrincipalArn": PATTERN },
      },
    },
  ],
});
const creds = {
  Credentials: {
    AccessKeyId: "AK",
    SecretAccessKey: "SK",
    SessionToken: "ST",
    Expiration: new Date(),
  },
};
const awsError = (name: string) => Object.assign(new Error(name), { name });

function verifier(options: { budgetMs?: number; negativeProbe?: boolean } = {}) {
  return new RoleVerifier({
    gateway: new AwsTenantRoleGateway({ maxAttempts: 1 }),
    clock: systemClock,
    sleep: realSleep,
    principal: { partition: "aws", accountId: "123456789012" },
    retryBudgetMs: options.budgetMs ?? 0,
    negativeProbe: options.negativeProbe ?? false,
    defaultRegion: "us-east-1",
  });
}

const input = (regions: string[] = []) => ({
  role: ROLE,
  accountId: "012345678901",
  regions,
  externalIds: ["cpx-current"],
});

function allGood(policy: unknown = goodPolicy()) {
  sts.on(AssumeRoleCommand).resolves(creds);
  sts.on(GetCallerIdentityCommand).resolves({
    Account: "012345678901",
    Arn: "arn:aws:sts::012345678901:assumed-role/Access/cp-verify-1",
  });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: "Access",
      Arn: ROLE.arn,
      Path: "/",
      RoleId: "id",
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(policy)),
    },
  });
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("RoleVerifier", () => {
  it("verifies a good role in one attempt, through a session that can only read the role", async () => {
    allGood();
    const result = await verifier().verify(input());
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const call = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(call).toMatchObject({
      RoleArn: ROLE.arn,
      ExternalId: "cpx-current",
      DurationSeconds: 900,
      SourceIdentity: "control-plane",
    });
    expect(JSON.parse(call?.Policy ?? "{}").Statement).toEqual([
      { Effect: "Allow", Action: "iam:GetRole", Resource: ROLE.arn },
    ]);
  });

  it("retries while a new role is not assumable yet (IAM propagation), backing off 1 s, 2 s", async () => {
    allGood();
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(awsError("AccessDenied"))
      .rejectsOnce(awsError("AccessDenied"))
      .resolves(creds);
    const pending = verifier({ budgetMs: 120_000 }).verify(input());
    await vi.advanceTimersByTimeAsync(999);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(pending).resolves.toMatchObject({ ok: true, attempts: 3 });
  });

  it("gives up when the budget is spent, with the last reason", async () => {
    sts.on(AssumeRoleCommand).rejects(awsError("AccessDenied"));
    const pending = verifier({ budgetMs: 10_000 }).verify(input());
    await vi.advanceTimersByTimeAsync(60_000);
    // Waits of 1, 2 and 4 s fit in 10 s; the next (8 s) would not.
    await expect(pending).resolves.toMatchObject({
      ok: false,
      attempts: 4,
      failure: { code: "ACCESS_DENIED" },
    });
  });

  it("does not retry a definitive failure", async () => {
    allGood(goodPolicy("cpx-wrong"));
    const result = await verifier({ budgetMs: 120_000 }).verify(input());
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      failure: { code: "EXTERNAL_ID_MISMATCH" },
    });
  });

  const cases: [string, () => void, { regions?: string[]; negativeProbe?: boolean }][] = [
    ["ACCESS_DENIED", () => sts.on(AssumeRoleCommand).rejects(awsError("AccessDenied")), {}],
    ["ROLE_NOT_FOUND", () => iam.on(GetRoleCommand).rejects(awsError("NoSuchEntityException")), {}],
    [
      "ACCOUNT_MISMATCH",
      () =>
        sts.on(GetCallerIdentityCommand).resolves({
          Account: "999999999999",
          Arn: "arn:aws:sts::999999999999:assumed-role/Access/s1",
        }),
      {},
    ],
    ["TRUST_POLICY_TOO_BROAD", () => allGood(goodPolicy("cpx-current", "*")), {}],
    ["EXTERNAL_ID_NOT_REQUIRED", () => undefined, { negativeProbe: true }],
    ["EXTERNAL_ID_MISMATCH", () => allGood(goodPolicy("cpx-other")), {}],
    [
      "REGION_DISABLED",
      () =>
        sts
          .on(GetCallerIdentityCommand)
          .resolvesOnce({
            Account: "012345678901",
            Arn: "arn:aws:sts::012345678901:assumed-role/Access/s1",
          })
          .rejects(awsError("RegionDisabledException")),
      { regions: ["us-east-1", "ap-east-1"] },
    ],
    ["THROTTLED", () => sts.on(AssumeRoleCommand).rejects(awsError("Throttling")), {}],
  ];

  it.each(cases)("reports %s", async (code, arrange, options) => {
    allGood();
    arrange();
    const result = await verifier({ negativeProbe: options.negativeProbe ?? false }).verify(
      input(options.regions),
    );
    expect(result).toMatchObject({ ok: false, failure: { code } });
    if (!result.ok) expect(result.failure.message.length).toBeGreaterThan(20);
  });

  it("the negative probe passes when AWS refuses AssumeRole without the external ID", async () => {
    allGood();
    sts.on(AssumeRoleCommand, { ExternalId: undefined }).rejects(awsError("AccessDenied"));
    sts.on(AssumeRoleCommand, { ExternalId: "cpx-current" }).resolves(creds);
    await expect(verifier({ negativeProbe: true }).verify(input())).resolves.toMatchObject({
      ok: true,
    });
  });

  it("presents the next external ID only when the role refuses one, and reports the one accepted", async () => {
    allGood(goodPolicy("cpx-previous"));
    sts.on(AssumeRoleCommand, { ExternalId: "cpx-current" }).rejects(awsError("AccessDenied"));
    sts.on(AssumeRoleCommand, { ExternalId: "cpx-previous" }).resolves(creds);
    const result = await verifier().verify({
      ...input(),
      externalIds: ["cpx-current", "cpx-previous"],
    });
    expect(result).toMatchObject({ ok: true, externalId: "cpx-previous" });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId)).toEqual([
      "cpx-current",
      "cpx-previous",
    ]);
  });

  it("does not present another external ID when STS throttles", async () => {
    sts.on(AssumeRoleCommand).rejects(awsError("Throttling"));
    const result = await verifier().verify({
      ...input(),
      externalIds: ["cpx-current", "cpx-previous"],
    });
    expect(result).toMatchObject({ ok: false, failure: { code: "THROTTLED" } });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it("runs the negative probe before the lint: IAM's answer is the reason given", async () => {
    // A trust policy the lint would also flag: the probe, which AWS answered, decides first.
    allGood(goodPolicy("cpx-current", "*"));
    const result = await verifier({ negativeProbe: true }).verify(input());
    expect(result).toMatchObject({
      ok: false,
      failure: { code: "EXTERNAL_ID_NOT_REQUIRED", message: expect.stringContaining("AWS let") },
      externalId: "cpx-current",
    });
  });

  it("a role that cannot read itself is ACCESS_DENIED with a precise message", async () => {
    allGood();
    iam.on(GetRoleCommand).rejects(awsError("AccessDenied"));
    const result = await verifier().verify(input());
    expect(result).toMatchObject({
      ok: false,
      failure: { code: "ACCESS_DENIED", message: expect.stringContaining("iam:GetRole") },
    });
  });
});
