import { parseRoleArn } from "./arn";

/**
 * The version of infra/tenant-role.yaml, as its custom resource reports it (`TemplateVersion`).
 * Version 2 lets the role read its own stack (cloudformation:DescribeStacks on AWS::StackId), so
 * that the control plane can confirm each of the stack's messages; stacks of version 1 send none.
 * infra/tenant-role.yaml carries the same number (a test keeps them in step).
 */
export const TENANT_TEMPLATE_VERSION = 2;

export type StackRequestType = "Create" | "Update" | "Delete";

/**
 * The stack states in which CloudFormation sends each request to a custom resource. A message
 * that arrives while its stack is in any other state was not sent by CloudFormation.
 */
export const STACK_STATES_FOR: Readonly<Record<StackRequestType, readonly string[]>> = {
  Create: ["CREATE_IN_PROGRESS"],
  Update: ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS"],
  Delete: ["DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"],
};

/** What DescribeStacks says of the message's stack, read through the tenant's role. */
export interface StackView {
  stackId: string;
  status: string;
  parameters: Readonly<Record<string, string>>;
}

/** What a custom resource message claims. */
export interface StackMessage {
  requestType: StackRequestType;
  stackId: string;
  registrationToken?: string;
  roleArn?: string;
  stackRegion?: string;
}

export type StackRefusal =
  | "STACK_NOT_FOUND"
  | "STACK_STATE_MISMATCH"
  | "STACK_REGION_MISMATCH"
  | "STACK_PARAMETERS_MISMATCH";

export type StackCheck =
  | { ok: true; status: string }
  | { ok: false; code: StackRefusal; message: string };

/**
 * Whether a confirmed Delete removes the stack's registration. Only when the stack itself goes
 * (its deletion, or the rollback of its creation). A Delete during an update's cleanup removes a
 * replaced custom resource whose successor (same stack, same account) has registered again: the
 * account stays. It is also the state any routine update of the stack passes through, so a
 * forged Delete timed for it must change nothing.
 */
export function deleteDeregisters(status: string): boolean {
  return status === "DELETE_IN_PROGRESS" || status === "ROLLBACK_IN_PROGRESS";
}

/** The region a stack ID names (arn:<partition>:cloudformation:<region>:<account>:stack/...). */
export function stackRegion(stackId: string): string | undefined {
  return stackId.split(":")[3] || undefined;
}

/**
 * Whether the stack, as CloudFormation describes it, is the one that sent the message now. Anyone
 * who can read the stack knows its ID and its token, so the message proves nothing alone: the stack
 * must exist under that ID, be in a state in which CloudFormation sends that request, and carry the
 * parameters the message claims (the token, and for a Create or an Update the role's name), and the
 * message's StackRegion must be the stack's region. During an update's rollback the role may also
 * be the one the account is registered with (the parameters shown may be either side's).
 */
export function checkStackMessage(
  message: StackMessage,
  stack: StackView | undefined,
  /** The role the account is registered with, if it is: a rollback may return to it. */
  registeredRoleArn?: string,
): StackCheck {
  const refuse = (code: StackRefusal, text: string): StackCheck => ({
    ok: false,
    code,
    message: text,
  });
  // Every template sends StackRegion: without it the account's regions would be emptied (any).
  if (message.stackRegion === undefined || message.stackRegion !== stackRegion(message.stackId))
    return refuse("STACK_REGION_MISMATCH", "the message's StackRegion is not its stack's region");
  if (!stack || stack.stackId !== message.stackId)
    return refuse("STACK_NOT_FOUND", "no such stack in the account");
  if (!STACK_STATES_FOR[message.requestType].includes(stack.status))
    return refuse(
      "STACK_STATE_MISMATCH",
      `the stack is ${stack.status}; CloudFormation sends a ${message.requestType} only while it is ${STACK_STATES_FOR[message.requestType].join(" or ")}`,
    );
  if ((stack.parameters.RegistrationToken ?? "") !== (message.registrationToken ?? ""))
    return refuse("STACK_PARAMETERS_MISMATCH", "the stack carries another registration token");
  if (message.requestType !== "Delete") {
    const role = message.roleArn ? parseRoleArn(message.roleArn) : undefined;
    const stacksRole = typeof role === "object" && role.roleName === stack.parameters.RoleName;
    // A rollback returns to the role before the update: the stack's parameter or the role the
    // account is registered with, never a third one.
    const rollingBackTo =
      stack.status === "UPDATE_ROLLBACK_IN_PROGRESS" &&
      registeredRoleArn !== undefined &&
      message.roleArn === registeredRoleArn;
    if (!stacksRole && !rollingBackTo)
      return refuse("STACK_PARAMETERS_MISMATCH", "the stack's role is not the message's role");
  }
  return { ok: true, status: stack.status };
}

/**
 * The only thing the session that reads the stack may do: describe that one stack. The tenant's
 * template (version 2) allows the same on the role itself, and its brake spares it.
 */
export function stackReadPolicy(stackId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "cloudformation:DescribeStacks", Resource: stackId }],
  });
}
