import {
  maxLength,
  minLength,
  object,
  optional,
  strictObject,
  string,
  enum as zEnum,
} from "zod/mini";

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
  // Exactly what infra/tenant-role.yaml's custom resource sends (CloudFormation adds ServiceToken):
  // a property no template sends (Regions, say) makes the request malformed.
  ResourceProperties: optional(
    strictObject({
      ServiceToken: optional(string().check(maxLength(2048))),
      RegistrationToken: optional(string().check(maxLength(256))),
      AccountId: optional(string().check(maxLength(64))),
      RoleArn: optional(string().check(maxLength(2048))),
      StackRegion: optional(string().check(maxLength(64))),
      /** Since template version 2; version 1 sent none. */
      TemplateVersion: optional(string().check(maxLength(8))),
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
