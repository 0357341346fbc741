/**
 * ARNs, account IDs, partitions and regions (facts.md: "ARNs and IDs").
 * Account IDs are 12-digit strings and may start with 0: never numbers.
 */
export const PARTITIONS = [
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
] as const;
export type Partition = (typeof PARTITIONS)[number];

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** Role names: 1 to 64 of [\w+=,.@-]. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/** Paths: "/" or "/seg/.../", segments of [\w+=,.@-], at most 512 characters. */
export const ROLE_PATH_PATTERN = /^\/(?:[\w+=,.@-]+\/)*$/;
/**
 * Well-formed region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1,
 * eusc-de-east-1. Whether a region exists, and its partition, is the SDK's data (RegionCatalog).
 */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;

export interface RoleArn {
  partition: Partition;
  accountId: string;
  path: string;
  roleName: string;
  arn: string;
}

export type RoleArnProblem =
  | "NOT_AN_ARN"
  | "UNKNOWN_PARTITION"
  | "NOT_IAM"
  | "NOT_A_ROLE"
  | "INVALID_ACCOUNT_ID"
  | "INVALID_ROLE_NAME"
  | "INVALID_ROLE_PATH";

/** Parses `arn:<partition>:iam::<account>:role/<path/><name>`; returns the problem when it is not one. */
export function parseRoleArn(arn: string): RoleArn | RoleArnProblem {
  if (arn.length > 2048) return "NOT_AN_ARN";
  const parts = arn.split(":");
  if (parts.length !== 6 || parts[0] !== "arn") return "NOT_AN_ARN";
  const [, partition, service, region, accountId, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!(PARTITIONS as readonly string[]).includes(partition)) return "UNKNOWN_PARTITION";
  if (service !== "iam" || region !== "") return "NOT_IAM";
  if (!ACCOUNT_ID_PATTERN.test(accountId)) return "INVALID_ACCOUNT_ID";
  if (!resource.startsWith("role/")) return "NOT_A_ROLE";
  const rest = resource.slice("role".length); // "/path/name" or "/name"
  const lastSlash = rest.lastIndexOf("/");
  const path = rest.slice(0, lastSlash + 1);
  const roleName = rest.slice(lastSlash + 1);
  if (!ROLE_NAME_PATTERN.test(roleName)) return "INVALID_ROLE_NAME";
  if (path.length > 512 || !ROLE_PATH_PATTERN.test(path)) return "INVALID_ROLE_PATH";
  return { partition: partition as Partition, accountId, path, roleName, arn };
}

export function isRoleArn(value: RoleArn | RoleArnProblem): value is RoleArn {
  return typeof value === "object";
}

/** `arn:<p>:sts::<account>:assumed-role/<role name>/<session>` parsed; undefined when not that shape. */
export function parseAssumedRoleArn(
  arn: string,
): { partition: string; accountId: string; roleName: string; sessionName: string } | undefined {
  const m =
    /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1] as string,
    accountId: m[2] as string,
    roleName: m[3] as string,
    sessionName: m[4] as string,
  };
}
