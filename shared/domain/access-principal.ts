/**
 * The principal tenants' trust policies name (architecture.md, "Security model").
 *
 * Chosen shape: the control plane account's root, with an `aws:PrincipalArn` condition matching
 * the control plane's access roles, all under one IAM path:
 *
 *   Principal: { AWS: arn:<p>:iam::<control plane account>:root }
 *   Condition: { ArnLike: { aws:PrincipalArn: arn:<p>:iam::<account>:role/control-plane/access/* } }
 *
 * Why: each function that assumes tenant roles (registration, broker, health, organizations) keeps
 * its own least-privilege execution role, and the trust survives a role being deleted and
 * recreated (a trust policy naming a role ARN directly would silently switch to its old unique ID).
 * Only the control plane account's administrators can create roles under that path.
 * The trust-policy check accepts exactly this shape, nothing broader.
 */
export const ACCESS_ROLE_PATH = "/control-plane/access/";

export interface AccessPrincipal {
  partition: string;
  accountId: string;
}

export function accountRootArn(p: AccessPrincipal): string {
  return `arn:${p.partition}:iam::${p.accountId}:root`;
}

/** The value of the `aws:PrincipalArn` condition, and of the template's ControlPlanePrincipalArn parameter. */
export function principalArnPattern(p: AccessPrincipal): string {
  return `arn:${p.partition}:iam::${p.accountId}:role${ACCESS_ROLE_PATH}*`;
}
