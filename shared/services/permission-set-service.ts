import type { Actor } from "../domain/audit";
import {
  compactPolicy,
  type PermissionSet,
  policyProblem,
  SESSION_POLICY_MAX_CHARS,
} from "../domain/permission-set";
import { BadRequestError, NotFoundError } from "../errors";
import type { PermissionSetStore } from "../ports/brokering";
import type { Clock, Page, PageRequest } from "../ports/common";
import type { AuditTrail } from "./audit-trail";

export class PermissionSetNotFoundError extends NotFoundError {
  constructor(name: string) {
    super("PERMISSION_SET_NOT_FOUND", `Permission set ${name} does not exist`);
  }
}

/** Named session policies, validated as IAM policy documents and against the STS size limit. */
export class PermissionSetService {
  constructor(
    private readonly deps: { store: PermissionSetStore; trail: AuditTrail; clock: Clock },
  ) {}

  async put(
    name: string,
    input: { policy: unknown; description?: string },
    actor: Actor,
  ): Promise<{ set: PermissionSet; created: boolean }> {
    const problem = policyProblem(input.policy);
    if (problem)
      throw new BadRequestError(
        "INVALID_POLICY",
        `The policy is not a valid session policy: ${problem}`,
      );
    const policy = compactPolicy(input.policy);
    if (policy.length > SESSION_POLICY_MAX_CHARS) {
      throw new BadRequestError(
        "POLICY_TOO_LARGE",
        `The policy is ${policy.length} characters without whitespace; STS accepts at most ${SESSION_POLICY_MAX_CHARS} for a session policy`,
      );
    }
    const now = this.deps.clock.now().toISOString();
    const existing = await this.deps.store.get(name);
    const set: PermissionSet = {
      name,
      policy,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      ...(input.description === undefined ? {} : { description: input.description }),
    };
    const { created } = await this.deps.store.put(set);
    await this.deps.trail.record(actor, {
      action: "PERMISSION_SET_PUT",
      target: name,
      permissionSet: name,
    });
    return { set, created };
  }

  async get(name: string): Promise<PermissionSet> {
    const set = await this.deps.store.get(name);
    if (!set) throw new PermissionSetNotFoundError(name);
    return set;
  }

  list(page: PageRequest): Promise<Page<PermissionSet>> {
    return this.deps.store.list(page);
  }

  async delete(name: string, actor: Actor): Promise<void> {
    if (!(await this.deps.store.delete(name))) throw new PermissionSetNotFoundError(name);
    await this.deps.trail.record(actor, {
      action: "PERMISSION_SET_DELETE",
      target: name,
      permissionSet: name,
    });
  }
}
