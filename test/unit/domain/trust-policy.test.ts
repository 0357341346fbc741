import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTrustPolicy } from "../../../shared/domain/trust-policy";
import { ROOT } from "../../../tools/local-aws/local-stack";

const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/trust-policies/cases.json"), "utf8"),
) as {
  controlPlaneAccount: string;
  validExternalIds: string[];
  cases: { name: string; expect: string | null; policy: unknown }[];
};

describe("trust-policy lint (test/fixtures/trust-policies/cases.json)", () => {
  it.each(fixture.cases)("$name → $expect", ({ policy, expect: code }) => {
    const result = checkTrustPolicy(policy, {
      principal: { partition: "aws", accountId: fixture.controlPlaneAccount },
      externalIds: fixture.validExternalIds,
    });
    expect(result?.code ?? null).toBe(code);
    if (result) expect(result.message.length).toBeGreaterThan(20);
  });

  it("an empty list of external IDs pins nothing: EXTERNAL_ID_NOT_REQUIRED", () => {
    const principal = { partition: "aws", accountId: "123456789012" };
    const policy = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
          Condition: {
            StringEquals: { "sts:ExternalId": [] },
            ArnLike: {
              "aws:PrincipalArn": "arn:aws:iam::123456789012:role/control-plane/access/*",
            },
          },
        },
      ],
    };
    expect(checkTrustPolicy(policy, { principal, externalIds: ["cpx-current"] })?.code).toBe(
      "EXTERNAL_ID_NOT_REQUIRED",
    );
  });

  it("rejects a document that is not a policy", () => {
    const principal = { partition: "aws", accountId: "123456789012" };
    expect(checkTrustPolicy(undefined, { principal, externalIds: [] })?.code).toBe(
      "TRUST_POLICY_TOO_BROAD",
    );
    expect(checkTrustPolicy({ Statement: [] }, { principal, externalIds: [] })?.code).toBe(
      "ACCESS_DENIED",
    );
  });
});
