import { array, object, string, enum as zEnum } from "zod";

/**
 * A CloudFormation custom resource request, as delivered through SNS (the Message of each record).
 * Only what the registration function reads is required; CloudFormation adds more.
 */
export const CustomResourceRequest = object({
  RequestType: zEnum(["Create", "Update", "Delete"]),
  ResponseURL: string().min(1).max(4096),
  StackId: string().min(1).max(1024),
  RequestId: string().min(1).max(256),
  LogicalResourceId: string().min(1).max(256),
  PhysicalResourceId: string().max(1024).optional(),
  ResourceType: string().max(256).optional(),
  ResourceProperties: object({
    RegistrationToken: string().max(256).optional(),
    AccountId: string().max(64).optional(),
    RoleArn: string().max(2048).optional(),
    StackRegion: string().max(64).optional(),
    Regions: array(string().max(64)).max(30).optional(),
  }).optional(),
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
