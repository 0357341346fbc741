import { array, maxLength, minLength, object, optional, string, enum as zEnum } from "zod/mini";

/**
 * A CloudFormation custom resource request, as delivered through SNS (the Message of each record).
 * Only what the registration function reads is required; CloudFormation adds more.
 */
export const CustomResourceRequest = object({
  RequestType: zEnum(["Create", "Update", "Delete"]),
  ResponseURL: string().check(minLength(1), maxLength(4096)),
  StackId: string().check(minLength(1), maxLength(1024)),
  RequestId: string().check(minLength(1), maxLength(256)),
  LogicalResourceId: string().check(minLength(1), maxLength(256)),
  PhysicalResourceId: optional(string().check(maxLength(1024))),
  ResourceType: optional(string().check(maxLength(256))),
  ResourceProperties: optional(
    object({
      RegistrationToken: optional(string().check(maxLength(256))),
      AccountId: optional(string().check(maxLength(64))),
      RoleArn: optional(string().check(maxLength(2048))),
      StackRegion: optional(string().check(maxLength(64))),
      Regions: optional(array(string().check(maxLength(64))).check(maxLength(30))),
    }),
  ),
});

export interface CustomResourceResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}
