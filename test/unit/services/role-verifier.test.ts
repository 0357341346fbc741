import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realSleep, systemClock } from "../../../shared/adapters/system";
import { parseRoleArn, type RoleArn } from "../../../shared/domain/arn";
import { RoleVerifier } from "../../../shared/services/role-verifier";
import { FakeTenantRoleGateway } from "../../support/memory";

const ROLE = parseRoleArn("arn:aws:iam::012345678901:role/Access") as RoleArn;
const PATTERN = "arn:aws:iam::123456789012:role/control-plane/access/*";
const goodPolicy = (
  externalId: string | string[] = "cpx-current",
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

/** The tenant's STS and IAM: one role, good unless a test changes it. */
let roles: FakeTenantRoleGateway;
const assumeCalls = () => roles.assumed.length;

function verifier(options: { budgetMs?: number; negativeProbe?: boolean } = {}) {
  return new RoleVerifier({
    gateway: roles,
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

function withRole(policy: unknown = goodPolicy(), extra: { account?: string } = {}) {
  roles.role(ROLE.arn, { trustPolicy: policy, ...extra });
}

beforeEach(() => {
  roles = new FakeTenantRoleGateway();
  withRole();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("RoleVerifier", () => {
  it("verifies a good role in one attempt, through a session that can only read the role", async () => {
    const result = await verifier().verify(input());
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const call = roles.assumed[0];
    expect(call).toMatchObject({
      roleArn: ROLE.arn,
      externalId: "cpx-current",
      durationSeconds: 900,
      sourceIdentity: "control-plane",
    });
    expect(JSON.parse(call?.policy ?? "{}").Statement).toEqual([
      { Effect: "Allow", Action: "iam:GetRole", Resource: ROLE.arn },
    ]);
  });

  it("retries while a new role is not assumable yet (IAM propagation), backing off 1 s, 2 s", async () => {
    roles.fail("assumeRole", "ACCESS_DENIED", 2);
    const pending = verifier({ budgetMs: 120_000 }).verify(input());
    await vi.advanceTimersByTimeAsync(999);
    expect(assumeCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(assumeCalls()).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    await expect(pending).resolves.toMatchObject({ ok: true, attempts: 3 });
  });

  it("gives up when the budget is spent, with the last reason", async () => {
    roles.fail("assumeRole", "ACCESS_DENIED");
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
    // The role lets the control plane in, but its policy also lets in anyone with the ID.
    withRole(goodPolicy("cpx-current", "*"));
    const result = await verifier({ budgetMs: 120_000 }).verify(input());
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      failure: { code: "TRUST_POLICY_TOO_BROAD" },
    });
  });

  const cases: [string, () => void, { regions?: string[]; negativeProbe?: boolean }][] = [
    ["ACCESS_DENIED", () => roles.fail("assumeRole", "ACCESS_DENIED"), {}],
    // The role's session cannot find the role any more (deleted after AssumeRole).
    ["ROLE_NOT_FOUND", () => roles.fail("roleTrustPolicy", "ROLE_NOT_FOUND"), {}],
    ["ACCOUNT_MISMATCH", () => withRole(goodPolicy(), { account: "999999999999" }), {}],
    ["TRUST_POLICY_TOO_BROAD", () => withRole(goodPolicy("cpx-current", "*")), {}],
    [
      "EXTERNAL_ID_NOT_REQUIRED",
      () => roles.role(ROLE.arn, { trustPolicy: goodPolicy(), acceptsExternalIds: "any" }),
      { negativeProbe: true },
    ],
    // Ours is accepted, and so is an ID that is not this tenant's.
    ["EXTERNAL_ID_MISMATCH", () => withRole(goodPolicy(["cpx-current", "cpx-other"])), {}],
    [
      "REGION_DISABLED",
      () => roles.disabledRegions.add("ap-east-1"),
      { regions: ["us-east-1", "ap-east-1"] },
    ],
    ["THROTTLED", () => roles.fail("assumeRole", "THROTTLED"), {}],
  ];

  it.each(cases)("reports %s", async (code, arrange, options) => {
    arrange();
    const result = await verifier({ negativeProbe: options.negativeProbe ?? false }).verify(
      input(options.regions),
    );
    expect(result).toMatchObject({ ok: false, failure: { code } });
    if (!result.ok) expect(result.failure.message.length).toBeGreaterThan(20);
  });

  it("the negative probe passes when AWS refuses AssumeRole without the external ID", async () => {
    await expect(verifier({ negativeProbe: true }).verify(input())).resolves.toMatchObject({
      ok: true,
    });
    expect(roles.assumed.map((r) => r.externalId)).toContain(undefined);
  });

  it("presents the next external ID only when the role refuses one, and reports the one accepted", async () => {
    withRole(goodPolicy("cpx-previous"));
    const result = await verifier().verify({
      ...input(),
      externalIds: ["cpx-current", "cpx-previous"],
    });
    expect(result).toMatchObject({ ok: true, externalId: "cpx-previous" });
    expect(roles.assumed.map((r) => r.externalId)).toEqual(["cpx-current", "cpx-previous"]);
  });

  it("does not present another external ID when STS throttles", async () => {
    roles.fail("assumeRole", "THROTTLED");
    const result = await verifier().verify({
      ...input(),
      externalIds: ["cpx-current", "cpx-previous"],
    });
    expect(result).toMatchObject({ ok: false, failure: { code: "THROTTLED" } });
    expect(assumeCalls()).toBe(1);
  });

  it("runs the negative probe before the lint: IAM's answer is the reason given", async () => {
    // A trust policy the lint would also flag: the probe, which AWS answered, decides first.
    roles.role(ROLE.arn, {
      trustPolicy: goodPolicy("cpx-current", "*"),
      acceptsExternalIds: "any",
    });
    const result = await verifier({ negativeProbe: true }).verify(input());
    expect(result).toMatchObject({
      ok: false,
      failure: { code: "EXTERNAL_ID_NOT_REQUIRED", message: expect.stringContaining("AWS let") },
      externalId: "cpx-current",
    });
  });

  it("a role that cannot read itself is ACCESS_DENIED with a precise message", async () => {
    roles.fail("roleTrustPolicy", "ACCESS_DENIED");
    const result = await verifier().verify(input());
    expect(result).toMatchObject({
      ok: false,
      failure: { code: "ACCESS_DENIED", message: expect.stringContaining("iam:GetRole") },
    });
  });
});
