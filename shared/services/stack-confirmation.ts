import { RoleAccessError } from "../domain/errors";
import {
  checkStackMessage,
  type StackMessage,
  type StackRefusal,
  stackReadPolicy,
  stackRegion,
} from "../domain/stack-message";
import { isTransient } from "../domain/verification";
import type { StackReader, TenantRoleGateway } from "../ports/accounts";
import type { Clock, Sleep } from "../ports/common";
import { assumeTenantRole } from "./tenant-role-access";
import { retryWhileTransient } from "./transient-retry";

export interface StackConfirmationDeps {
  gateway: Pick<TenantRoleGateway, "assumeRole">;
  stacks: StackReader;
  clock: Clock;
  sleep: Sleep;
}

export type Confirmation =
  | { ok: true; status: string }
  | { ok: false; code: StackRefusal | "STACK_UNREADABLE"; message: string };

/**
 * Asks the stack whether it sent a message. Anyone who can read a tenant's stack (every session
 * brokered under ReadOnlyAccess) knows its ID and its registration token and can publish to the
 * registration topic; only CloudFormation can put the stack in the state in which it sends that
 * request. So before a message changes anything, the control plane assumes the tenant's role (with
 * the tenant's external ID, a session that may only describe that stack) and checks what
 * DescribeStacks says of it (checkStackMessage). When the stack cannot be read (the role deleted
 * or changed by hand, an external ID that expired, a stack of template version 1 whose role may
 * not read it), nothing is confirmed.
 */
export class StackConfirmation {
  constructor(private readonly deps: StackConfirmationDeps) {}

  async confirm(input: {
    message: StackMessage;
    /** The role to ask through: the message's for a Create or an Update, the stored one for a Delete. */
    roleArn: string;
    externalIds: readonly string[];
    /** How long to keep retrying failures that pass (a role created seconds ago, throttling). */
    retryBudgetMs: number;
    /** The role the account is registered with, if it is (a rollback may return to it). */
    registeredRoleArn?: string;
  }): Promise<Confirmation> {
    const { result } = await retryWhileTransient(
      this.deps,
      input.retryBudgetMs,
      () => this.attempt(input),
      (outcome) => outcome.transient === true,
    );
    const { transient: _, ...confirmation } = result;
    return confirmation;
  }

  private async attempt(input: {
    message: StackMessage;
    roleArn: string;
    externalIds: readonly string[];
    registeredRoleArn?: string;
  }): Promise<Confirmation & { transient?: boolean }> {
    const region = stackRegion(input.message.stackId) ?? "";
    // Refused by the rule before any AWS call: a message whose StackRegion is missing or wrong.
    if (input.message.stackRegion !== region) return checkStackMessage(input.message, undefined);
    let assumed = false;
    try {
      const session = await assumeTenantRole(
        this.deps.gateway,
        {
          roleArn: input.roleArn,
          sessionName: `cp-stack-${this.deps.clock.now().getTime().toString(36)}`,
          durationSeconds: 900,
          region,
          sourceIdentity: "control-plane",
          tags: [{ key: "cp:purpose", value: "stack-message" }],
          policy: stackReadPolicy(input.message.stackId),
        },
        input.externalIds,
      );
      assumed = true;
      const stack = await this.deps.stacks.describe(
        session.credentials,
        input.message.stackId,
        region,
      );
      return checkStackMessage(input.message, stack, input.registeredRoleArn);
    } catch (err) {
      if (!(err instanceof RoleAccessError)) throw err;
      return {
        ok: false,
        code: "STACK_UNREADABLE",
        message: assumed
          ? `the role may not read its stack (${err.code}): a stack of template version 1 must be updated to the current template first`
          : `the control plane could not assume the stack's role (${err.code})`,
        transient:
          err.code !== "EXPIRED_TOKEN" && err.code !== "INVALID_REQUEST" && isTransient(err.code),
      };
    }
  }
}
