import type { RoleArn } from "./arn";

/**
 * The emergency brake (infra/tenant-role.yaml, EmergencyBrake=Enabled): a deny policy the
 * tenant's stack creates next to the role, which the control plane may attach to the role and
 * detach again, and nothing else. Attached, it stops every session the role issued at once.
 */
export function brakePolicyArn(role: RoleArn): string {
  return `arn:${role.partition}:iam::${role.accountId}:policy/control-plane/${role.roleName}-EmergencyBrake`;
}

/**
 * The role's session revocation policy (same template option): the role's permissions boundary,
 * which the control plane may rewrite (new policy versions) and nothing else. A boundary can only
 * take permissions away, so whatever the control plane writes there can never widen its access.
 */
export function revocationPolicyArn(role: RoleArn): string {
  return `arn:${role.partition}:iam::${role.accountId}:policy/control-plane/${role.roleName}-SessionRevocation`;
}

/**
 * The boundary after an unfreeze: everything the role's own policies allow, except for sessions
 * issued before `cutoff` (ISO 8601), which are denied everything: the technique of the IAM
 * console's "revoke active sessions", so that unfreezing never revives a pre-freeze session.
 */
export function revocationBoundary(cutoff: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "WhatTheRolesPoliciesAllow", Effect: "Allow", Action: "*", Resource: "*" },
      {
        Sid: "RevokeSessionsIssuedBeforeTheLastUnfreeze",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } },
      },
    ],
  });
}

/**
 * The brake session can only attach, detach and list the role's managed policies, and rewrite
 * its revocation boundary.
 */
export function brakeSessionPolicy(role: RoleArn): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
        Resource: role.arn,
      },
      {
        Effect: "Allow",
        Action: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"],
        Resource: revocationPolicyArn(role),
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
