import { describe, expect, it } from "vitest";
import { compactPolicy, policyProblem } from "../../../shared/domain/permission-set";

/** A valid session policy with one statement, changed as given. */
function policy(statement: Record<string, unknown> = {}) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...statement }],
  };
}

/** What STS's AssumeRole accepts as Policy: tab, LF, CR and U+0020 to U+00FF. */
const STS_POLICY_PATTERN = /^[\t\n\r\x20-\xff]+$/;

describe("policyProblem: only the text IAM accepts in a policy (printable Latin-1)", () => {
  it.each([
    ["ASCII", policy({ Resource: "arn:aws:s3:::bucket/*" })],
    ["Latin-1 letters", policy({ Resource: "arn:aws:s3:::bucket/Zürich/é/ÿ" })],
    ["a no-break space and ¤", policy({ Condition: { StringEquals: { "aws:x": "a\u00a0¤" } } })],
  ])("accepts %s, and its compact form matches STS's pattern", (_label, doc) => {
    expect(policyProblem(doc)).toBeUndefined();
    expect(compactPolicy(doc)).toMatch(STS_POLICY_PATTERN);
  });

  it.each([
    ["a euro sign", policy({ Resource: "arn:aws:s3:::b/€" }), "Statement[0].Resource"],
    ["an emoji", policy({ Resource: ["*", "arn:aws:s3:::b/😀"] }), "Statement[0].Resource[1]"],
    [
      "CJK in a Condition value",
      policy({ Condition: { StringEquals: { "aws:PrincipalTag/team": "チーム" } } }),
      "Statement[0].Condition.StringEquals.aws:PrincipalTag/team",
    ],
    [
      "CJK in a Condition key",
      policy({ Condition: { StringEquals: { "aws:ResourceTag/チーム": "a" } } }),
      "a key of Statement[0].Condition.StringEquals",
    ],
    ["a lone surrogate", policy({ Resource: "arn:aws:s3:::b/\ud800" }), "Statement[0].Resource"],
    ["NUL", policy({ Resource: "arn:aws:s3:::b/\u0000" }), "Statement[0].Resource"],
    ["a line feed", policy({ Resource: "arn:aws:s3:::b/\n" }), "Statement[0].Resource"],
    ["DEL", policy({ Resource: "arn:aws:s3:::b/\u007f" }), "Statement[0].Resource"],
    ["a C1 control (NEL)", policy({ Resource: "arn:aws:s3:::b/\u0085" }), "Statement[0].Resource"],
    ["text in the Id", { ...policy(), Id: "€" }, "Id"],
  ])("refuses %s, saying where", (_label, doc, where) => {
    expect(policyProblem(doc)).toBe(
      `${where}: IAM accepts only printable Latin-1 text in a policy (U+0020 to U+007E, U+00A0 to U+00FF)`,
    );
  });

  it("walks a Condition value nested as deep as a body allows, without exhausting the stack", () => {
    let deep: unknown = "€";
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const problem = policyProblem(policy({ Condition: { StringLike: { "s3:prefix": deep } } }));
    expect(problem).toMatch(/^Statement\[0\]\.Condition\.StringLike\.s3:prefix(\[0\])+: IAM/);
  });
});

describe("policyProblem: IAM's grammar bounds how deep a policy goes (flat Condition values, a string Id)", () => {
  it("and the Id is a string (a list nested 10,000 deep would reach JSON.stringify)", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(policyProblem({ ...policy(), Id: deep })).toBe("Id must be a string");
    expect(policyProblem({ ...policy(), Id: "my-policy" })).toBeUndefined();
  });

  it.each([
    ["a string", "home/*"],
    ["a flat list of scalars", ["home/*", 42, true]],
  ])("accepts a Condition value that is %s (IAM's grammar)", (_label, value) => {
    expect(policyProblem(policy({ Condition: { StringLike: { "s3:prefix": value } } }))).toBe(
      undefined,
    );
  });

  it.each([
    ["a nested list", ["a", ["b"]]],
    ["an object", { a: "b" }],
    ["null", null],
  ])("refuses a Condition value that is %s", (_label, value) => {
    expect(policyProblem(policy({ Condition: { StringLike: { "s3:prefix": value } } }))).toBe(
      "Statement[0]: a Condition value must be a string, number or boolean, or a list of them",
    );
  });

  it("refuses a Condition value nested 10,000 lists deep (JSON.stringify, in compactPolicy, would overflow its stack)", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const doc = policy({ Condition: { StringLike: { "s3:prefix": deep } } });
    expect(policyProblem(doc)).toMatch(/a Condition value must be/);
  });
});
