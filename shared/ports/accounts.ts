/**
 * The ports of the accounts area: tenant accounts, the roles the control plane assumes in them
 * (also used by brokering and organizations), the emergency brake, registration.
 */
import type { Account } from "../domain/account";
import type { StackView } from "../domain/stack-message";
import type { Page, PageRequest } from "./common";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
  /** arn:<p>:sts::<account>:assumed-role/<role>/<session>, as STS reported it. */
  assumedRoleArn?: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  /** Omitted only by the negative probe ("the role must refuse a request without it"). */
  externalId?: string;
  sessionName: string;
  durationSeconds: number;
  /** The regional STS endpoint to call. */
  region: string;
  sourceIdentity?: string;
  tags?: { key: string; value: string }[];
  /** Inline session policy (JSON). */
  policy?: string;
}

/** STS and IAM as seen from the control plane's access roles. Errors are RoleAccessError. */
export interface TenantRoleGateway {
  assumeRole(request: AssumeRoleRequest): Promise<AwsCredentials>;
  callerIdentity(
    credentials: AwsCredentials,
    region: string,
  ): Promise<{ account: string; arn: string }>;
  /** The role's trust policy document, read with the role's own credentials (iam:GetRole on itself). */
  roleTrustPolicy(credentials: AwsCredentials, roleName: string, region: string): Promise<unknown>;
}

/**
 * Reads one CloudFormation stack through a tenant role's session (cloudformation:DescribeStacks on
 * the stack, which the tenant template allows the role). Undefined when no stack has that ID.
 * Errors are RoleAccessError.
 */
export interface StackReader {
  describe(
    credentials: AwsCredentials,
    stackId: string,
    region: string,
  ): Promise<StackView | undefined>;
}

/** The emergency brake's IAM calls, through the role's own session. Errors are RoleAccessError. */
export interface RoleBrakeGateway {
  attach(
    credentials: AwsCredentials,
    roleName: string,
    policyArn: string,
    region: string,
  ): Promise<void>;
  detach(
    credentials: AwsCredentials,
    roleName: string,
    policyArn: string,
    region: string,
  ): Promise<void>;
  /** The ARNs of the managed policies attached to the role. */
  attached(credentials: AwsCredentials, roleName: string, region: string): Promise<string[]>;
  /**
   * Makes `document` the default version of the managed policy, deleting the oldest non-default
   * versions first (IAM keeps at most five).
   */
  rewritePolicy(
    credentials: AwsCredentials,
    policyArn: string,
    document: string,
    region: string,
  ): Promise<void>;
}

/** The regions AWS has, and their partitions: the SDK's own data (shared/adapters/sdk-region-catalog.ts). */
export interface RegionCatalog {
  isKnown(region: string): boolean;
  /** The partition a well-formed region name belongs to (aws, aws-cn, aws-us-gov, aws-eusc, ...). */
  partitionOf(region: string): string;
}

/**
 * A condition an account write carries: here, that the organization job making it still holds its
 * lease (the job, its holder and sequence unchanged). Checked atomically with the write.
 */
export type WriteGuard =
  | { organizationJob: { tenantId: string; jobId: string; holder: string; seq: number } }
  /**
   * A stack's Create: the registration token is bound to the stack in the same transaction, only if
   * it is unbound or bound to that stack already (else RegistrationTokenSpentError, nothing
   * written). A registration that fails leaves the token as it was.
   */
  | { registrationToken: { tokenHash: string; stackId: string; at: string } };

export interface AccountStore {
  /**
   * Creates the account when `expectedVersion` is undefined (only while the tenant is ACTIVE, and
   * only if it does not exist), else replaces it if the stored version still matches; with a
   * guard, only while the guard holds (else OrganizationJobLostError or
   * RegistrationTokenSpentError, nothing written).
   * Throws StaleAccountError (changed or created concurrently) or TenantNotFoundError.
   */
  put(account: Account, expectedVersion: number | undefined, guard?: WriteGuard): Promise<void>;
  get(tenantId: string, accountId: string): Promise<Account | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<Account>>;
  /** Records that STS refused the role while brokering: FAILED until verified again. */
  markDenied(tenantId: string, accountId: string, at: string, message: string): Promise<void>;
  /**
   * Records the external ID the account's role accepted, if the account still has that role
   * (a no-op when it was deleted or re-registered with another role meanwhile).
   */
  recordExternalId(
    tenantId: string,
    accountId: string,
    roleArn: string,
    externalId: string,
  ): Promise<void>;
  /**
   * Deletes the account; false if it did not exist (or, with `expectedVersion`, changed since it
   * was read: the lifecycle decision was made on that version).
   */
  delete(tenantId: string, accountId: string, expectedVersion?: number): Promise<boolean>;
}

export interface RegistrationTokenRecord {
  tenantId: string;
  /** After this, the token no longer registers new accounts. */
  validUntil: string;
  createdAt: string;
  /**
   * The stack whose first Create used the token. From then on the token is spent for every other
   * stack, and authenticates this stack's Update and Delete only.
   */
  boundStackId?: string;
}

export interface RegistrationTokenStore {
  /** Stores the token's hash, under the tenant (so tenant deletion removes it). */
  create(tokenHash: string, record: RegistrationTokenRecord, retainUntil: Date): Promise<void>;
  find(tokenHash: string): Promise<RegistrationTokenRecord | undefined>;
  /**
   * Binds the token to the stack, unless it is bound to another one already (then false). Binding
   * it again to the same stack is true (a retried Create).
   */
  bind(tokenHash: string, stackId: string, at: string): Promise<boolean>;
}

/** Answers a CloudFormation custom resource at its pre-signed ResponseURL. */
export interface CustomResourceResponder {
  send(responseUrl: string, body: string): Promise<void>;
}
