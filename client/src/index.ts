export {
  type ClientOptions,
  ControlPlaneClient,
  ControlPlaneError,
  type CreateSessionRequest,
  type OperationId,
  type RequestOf,
  type ResponseOf,
  type Schemas,
  type Session,
} from "./client";
export {
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  type ControlPlaneCredentialOptions,
  fromControlPlane,
} from "./provider";
