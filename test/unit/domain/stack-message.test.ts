import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkStackMessage,
  deleteDeregisters,
  STACK_STATES_FOR,
  type StackMessage,
  type StackRequestType,
  stackReadPolicy,
} from "../../../shared/domain/stack-message";
import { ROOT } from "../../../tools/local-aws/local-stack";

interface Case {
  name: string;
  requestType: StackRequestType;
  stackStatus: string;
  message: Partial<Record<keyof StackMessage, string | null>>;
  stack: { absent?: boolean; stackId?: string };
  expect: string;
}

const table = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/cloudformation/stack-message-cases.json"), "utf8"),
) as {
  stackId: string;
  message: Omit<StackMessage, "requestType">;
  parameters: Record<string, string>;
  registeredRoleArn: string;
  cases: Case[];
};

describe("checkStackMessage: the stack's word on a custom resource message", () => {
  it.each(table.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const message = { ...table.message, requestType: c.requestType } as StackMessage;
    for (const [key, value] of Object.entries(c.message)) {
      if (value === null) delete (message as unknown as Record<string, unknown>)[key];
      else (message as unknown as Record<string, unknown>)[key] = value;
    }
    const stack = c.stack.absent
      ? undefined
      : {
          stackId: c.stack.stackId ?? table.stackId,
          status: c.stackStatus,
          parameters: table.parameters,
        };
    const result = checkStackMessage(message, stack, table.registeredRoleArn);
    expect(result.ok ? "ok" : result.code).toBe(c.expect);
    if (result.ok) expect(result.status).toBe(c.stackStatus);
  });

  it("every state in which CloudFormation sends a request is in the table", () => {
    const listed = new Set(
      table.cases.filter((c) => c.expect === "ok").map((c) => `${c.requestType}:${c.stackStatus}`),
    );
    for (const [type, states] of Object.entries(STACK_STATES_FOR))
      for (const state of states) expect(listed).toContain(`${type}:${state}`);
  });

  it.each([
    ["DELETE_IN_PROGRESS", true],
    ["ROLLBACK_IN_PROGRESS", true],
    ["UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", false],
  ])("a confirmed Delete while %s deregisters: %s", (status, removes) => {
    expect(deleteDeregisters(status)).toBe(removes);
  });

  it("the reading session may describe that one stack and nothing else", () => {
    expect(JSON.parse(stackReadPolicy(table.stackId))).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "cloudformation:DescribeStacks", Resource: table.stackId },
      ],
    });
  });
});
