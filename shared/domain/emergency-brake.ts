import type { RoleArn } from "./arn";

/**
 * The emergency brake (infra/tenant-role.yaml, EmergencyBrake=Enabled): a deny policy the
 * tenant's stack creates next to the role, which the control plane may attach to the role and
 * detach again, and nothing else. Attached, it stops every session the role issued at once.
 */
export function brakePolicyArn(role: RoleArn): string {
  return `arn:${role.partition}:iam::${role.accountId}:policy/control-plane/${role.roleName}-EmergencyBrake`;
}

/** The brake session can only attach, detach and list the role's managed policies. */
export function brakeSessionPolicy(role: RoleArn): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
        Resource: role.arn,
      },
    ],
  });
}

/** Why and by whom an account is frozen. */
export interface Frozen {
  at: string;
  /** The API key that froze it. */
  keyId: string;
}
