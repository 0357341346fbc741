import { describe, expect, it } from "vitest";
import { RoleAccessError } from "../../../shared/domain/errors";
import type { StackView } from "../../../shared/domain/stack-message";
import type { StackReader } from "../../../shared/ports/accounts";
import { StackConfirmation } from "../../../shared/services/stack-confirmation";
import { ManualClock } from "../../support/fakes";
import { FakeTenantRoleGateway } from "../../support/memory";

const STACK = "arn:aws:cloudformation:eu-west-1:012345678901:stack/Access/1";
const ROLE = "arn:aws:iam::012345678901:role/Access";
const trust = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
      Condition: { StringEquals: { "sts:ExternalId": "cpx-previous" } },
    },
  ],
};
const deleting: StackView = {
  stackId: STACK,
  status: "DELETE_IN_PROGRESS",
  parameters: { RegistrationToken: "crt_t", RoleName: "Access" },
};

function setup(reader: (call: number) => Promise<StackView | undefined>) {
  const clock = new ManualClock();
  const roles = new FakeTenantRoleGateway();
  roles.role(ROLE, { trustPolicy: trust });
  const reads: { stackId: string; region: string }[] = [];
  const stacks: StackReader = {
    describe: async (_credentials, stackId, region) => {
      reads.push({ stackId, region });
      return reader(reads.length);
    },
  };
  const slept: number[] = [];
  const confirmation = new StackConfirmation({
    gateway: roles,
    stacks,
    clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
  });
  const confirmWith = (message: { stackRegion?: string }, retryBudgetMs = 0) =>
    confirmation.confirm({
      message: {
        requestType: "Delete",
        stackId: STACK,
        registrationToken: "crt_t",
        stackRegion: "eu-west-1",
        ...message,
      },
      roleArn: ROLE,
      externalIds: ["cpx-current", "cpx-previous"],
      retryBudgetMs,
    });
  const confirm = (retryBudgetMs = 0) => confirmWith({}, retryBudgetMs);
  return { roles, reads, slept, confirm, confirmWith };
}

describe("StackConfirmation", () => {
  it("asks through the role, in the stack's region, with a session that may only describe that stack", async () => {
    const { roles, reads, confirm } = setup(async () => deleting);
    expect(await confirm()).toEqual({ ok: true, status: "DELETE_IN_PROGRESS" });
    expect(reads).toEqual([{ stackId: STACK, region: "eu-west-1" }]);
    const session = roles.assumed.at(-1);
    expect(session).toMatchObject({
      roleArn: ROLE,
      region: "eu-west-1",
      sourceIdentity: "control-plane",
      // The role accepts only the previous ID: the next candidate is tried after a refusal.
      externalId: "cpx-previous",
      tags: [{ key: "cp:purpose", value: "stack-message" }],
    });
    expect(JSON.parse(session?.policy as string).Statement).toEqual([
      { Effect: "Allow", Action: "cloudformation:DescribeStacks", Resource: STACK },
    ]);
  });

  it("a message without its stack's region is refused before any AWS call", async () => {
    const { roles, reads, confirmWith } = setup(async () => deleting);
    expect(await confirmWith({ stackRegion: "us-east-1" })).toMatchObject({
      ok: false,
      code: "STACK_REGION_MISMATCH",
    });
    expect(roles.assumed).toEqual([]);
    expect(reads).toEqual([]);
  });

  it("a stack in another state is not confirmed", async () => {
    const { confirm } = setup(async () => ({ ...deleting, status: "CREATE_COMPLETE" }));
    expect(await confirm()).toMatchObject({ ok: false, code: "STACK_STATE_MISMATCH" });
  });

  it("a role that refuses (deleted by hand, external ID expired) confirms nothing, after its budget", async () => {
    const { roles, slept, confirm, reads } = setup(async () => deleting);
    roles.fail("assumeRole", "ACCESS_DENIED");
    expect(await confirm(10_000)).toMatchObject({
      ok: false,
      code: "STACK_UNREADABLE",
      message: "the control plane could not assume the stack's role (ACCESS_DENIED)",
    });
    expect(slept).toEqual([1000, 2000, 4000]);
    expect(reads).toEqual([]);
  });

  it("a role that may not read its stack (template version 1) confirms nothing", async () => {
    const { confirm } = setup(async () => {
      throw new RoleAccessError("ACCESS_DENIED", "not authorized to perform DescribeStacks");
    });
    expect(await confirm()).toMatchObject({
      ok: false,
      code: "STACK_UNREADABLE",
      message: expect.stringContaining("template version 1 must be updated"),
    });
  });

  it("a role created seconds ago is retried until it works", async () => {
    const { roles, confirm, slept } = setup(async () => deleting);
    roles.fail("assumeRole", "ROLE_NOT_FOUND", 2);
    expect(await confirm(60_000)).toEqual({ ok: true, status: "DELETE_IN_PROGRESS" });
    expect(slept).toEqual([1000, 2000]);
  });

  it("an unexpected error propagates (the registration answers it, changing nothing)", async () => {
    const { confirm } = setup(async () => {
      throw new TypeError("bug");
    });
    await expect(confirm()).rejects.toThrow("bug");
  });
});
