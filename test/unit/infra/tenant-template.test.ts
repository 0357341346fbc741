import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, type Tags } from "yaml";
import { TENANT_TEMPLATE_VERSION } from "../../../shared/domain/stack-message";
import { ROOT } from "../../../tools/local-aws/local-stack";

/** CloudFormation's short forms (!Ref, !Sub, ...) read as their long forms ({ Ref: ... }). */
const longForm = (name: string, value: unknown) => ({
  [name === "Ref" ? "Ref" : `Fn::${name}`]: value,
});
const cfnTags = [
  "Ref",
  "Sub",
  "GetAtt",
  "If",
  "Equals",
  "Not",
  "And",
  "Join",
  "Select",
  "Split",
].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) },
  ...(["seq", "map"] as const).map((collection) => ({
    tag: `!${name}`,
    collection,
    resolve: (value: { toJSON(): unknown }) => longForm(name, value.toJSON()),
  })),
]) as unknown as Tags;

const template = parse(readFileSync(join(ROOT, "infra/tenant-role.yaml"), "utf8"), {
  customTags: cfnTags,
}) as { Resources: Record<string, { Properties: Record<string, unknown>; DependsOn?: unknown }> };
const resources = template.Resources;
const STACK = { Ref: "AWS::StackId" };

describe("infra/tenant-role.yaml: the stack confirms its own messages (template version 2)", () => {
  it("its custom resource reports the template version the control plane knows as current", () => {
    expect(resources.Registration?.Properties.TemplateVersion).toBe(
      String(TENANT_TEMPLATE_VERSION),
    );
  });

  it("the role may describe its own stack and nothing else, and the custom resource depends on that", () => {
    expect(resources.ReadOwnStack?.Properties).toMatchObject({
      Roles: [{ Ref: "AccessRole" }],
      PolicyDocument: {
        Statement: [
          {
            Effect: "Allow",
            Action: "cloudformation:DescribeStacks",
            Resource: STACK,
            // Not a brokered session: only the control plane's own.
            Condition: { StringEquals: { "aws:SourceIdentity": "control-plane" } },
          },
        ],
      },
    });
    // Deleted after the custom resource: still there while its Delete is confirmed.
    expect(resources.Registration?.DependsOn).toBe("ReadOwnStack");
  });

  it("the brake spares reading the stack: that stack only, and the control plane's sessions only", () => {
    const policy = resources.EmergencyBrakePolicy?.Properties.PolicyDocument as {
      Statement: {
        Sid: string;
        NotAction?: string[];
        Action?: string[] | string;
        NotResource?: unknown[];
        Condition?: unknown;
      }[];
    };
    const sid = (name: string) => policy.Statement.find((s) => s.Sid === name);
    expect(sid("DenyEverythingElse")?.NotAction).toContain("cloudformation:DescribeStacks");
    expect(sid("DenyThoseOnAnyOtherResource")?.Action).toContain("cloudformation:DescribeStacks");
    expect(sid("DenyThoseOnAnyOtherResource")?.NotResource).toContainEqual(STACK);
    expect(sid("DenyReadingTheStackToBrokeredSessions")).toMatchObject({
      Effect: "Deny",
      Action: "cloudformation:DescribeStacks",
      Condition: { StringNotEquals: { "aws:SourceIdentity": "control-plane" } },
    });
  });
});
