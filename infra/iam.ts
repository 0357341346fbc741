/**
 * The vocabulary of the functions' IAM statements: each operation module (functions/<area>/<op>.ts)
 * lists its own role's statements with these, and serverless.ts gives them to that function's role
 * (serverless-iam-roles-per-function). Resources are CloudFormation references, so that packaging
 * needs no AWS credentials. Statements the HTTP pipeline needs (authentication, Idempotency-Key,
 * rate limit) are added from the route itself (infra/functions.ts), not listed by hand.
 */

export interface IamStatement {
  Effect: "Allow" | "Deny";
  Action: readonly string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, readonly string[]>>;
}

/** The control plane's table and its index (infra/control-plane/table.yml). */
export const tableArn = { "Fn::GetAtt": ["ControlPlaneTable", "Arn"] } as const;
export const tableIndexArn = {
  "Fn::Join": ["", [{ "Fn::GetAtt": ["ControlPlaneTable", "Arn"] }, "/index/GSI1"]],
} as const;

type DynamoAction = `dynamodb:${string}`;

/**
 * DynamoDB actions on the table's items whose partition keys all match `leadingKeys`
 * (`dynamodb:LeadingKeys`, ForAllValues: every key a request names must match).
 */
// @__NO_SIDE_EFFECTS__
export function onTable(
  actions: readonly DynamoAction[],
  leadingKeys: readonly string[],
): IamStatement {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: tableArn,
    Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": leadingKeys } },
  };
}

/**
 * Queries of the index (GSI1) on the partitions matching `leadingKeys`; `exact` when they are
 * names rather than patterns (StringEquals).
 */
// @__NO_SIDE_EFFECTS__
export function onIndex(
  actions: readonly DynamoAction[],
  leadingKeys: readonly string[],
  exact = false,
): IamStatement {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: tableIndexArn,
    Condition: {
      [exact ? "ForAllValues:StringEquals" : "ForAllValues:StringLike"]: {
        "dynamodb:LeadingKeys": leadingKeys,
      },
    },
  };
}

/** Invoking one of this service's functions by name (osls resolves the stage). */
// @__NO_SIDE_EFFECTS__
export function invokeFunction(name: string): IamStatement {
  return {
    Effect: "Allow",
    Action: ["lambda:InvokeFunction"],
    Resource: {
      "Fn::Sub": `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${self:service}-\${sls:stage}-${name}`,
    },
  };
}

/** Events to the account's default event bus (drift and lifecycle events). */
export const putEvents: IamStatement = {
  Effect: "Allow",
  Action: ["events:PutEvents"],
  Resource: {
    "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default",
  },
};

/** Every authenticated route looks up the caller's API key: one GetItem on APIKEY#<hash> items only. */
export const authenticate = /* @__PURE__ */ onTable(["dynamodb:GetItem"], ["APIKEY#*"]);

/**
 * Functions that assume tenant roles: any role in any account of this partition (tenants choose
 * the role name). Their execution roles live under /control-plane/access/ (ACCESS_ROLE_PATH), the
 * path tenants' trust policies require through aws:PrincipalArn (shared/domain/access-principal.ts):
 * serverless.ts puts every role holding this statement there.
 */
export const tenantRoleAccess: IamStatement = {
  Effect: "Allow",
  Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
  Resource: { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/*" },
};

/**
 * Routes that honour an Idempotency-Key header keep its records under IDEMPOTENCY#<operation>
 * (shared/http/idempotency.ts): one conditional PutItem takes a key, GetItem reads who holds it,
 * PutItem stores the answer, DeleteItem forgets a failed request.
 */
export const idempotency = /* @__PURE__ */ onTable(
  ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
  ["IDEMPOTENCY#*"],
);

/**
 * Functions that change a tenant's accounts, organization or external IDs append to its audit
 * trail (AUDIT#<tenantId>, shared/domain/audit.ts); PutItem only, never a read or a delete.
 */
export const auditTenant = /* @__PURE__ */ onTable(["dynamodb:PutItem"], ["AUDIT#*"]);

/**
 * Functions that change tenants, API keys, grants or permission sets append to the platform's
 * audit trail (AUDIT-PLATFORM).
 */
export const auditPlatform = /* @__PURE__ */ onTable(["dynamodb:PutItem"], ["AUDIT-PLATFORM"]);

/**
 * Every function: Active tracing (provider.tracing.lambda) sends its segments to X-Ray. X-Ray
 * offers no resource-level permissions, hence "*".
 */
export const xray: IamStatement = {
  Effect: "Allow",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  Resource: "*",
};

/**
 * The scheduled functions send their failed invocations to this queue (Lambda on-failure
 * destination, with the function's own role).
 */
export const failedInvocations: IamStatement = {
  Effect: "Allow",
  Action: ["sqs:SendMessage"],
  Resource: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] },
};

/**
 * Routes with a rate limit count each request in RATE#<bucket>#<subject> (one conditional
 * UpdateItem; shared/services/rate-limiter.ts): RATE#service#<service>, RATE#tenant#<tenantId>,
 * RATE#admin#<tenantId>#<keyId> (shared/domain/rate-limit.ts, rateBucketOf).
 */
export const rateLimit = /* @__PURE__ */ onTable(["dynamodb:UpdateItem"], ["RATE#*"]);

/**
 * Functions that list across pages read the key that seals list cursors (CursorKeySecret,
 * shared/adapters/sharded-index.ts), once per container; nothing writes it but CloudFormation.
 */
export const cursorKey: IamStatement = {
  Effect: "Allow",
  Action: ["secretsmanager:GetSecretValue"],
  Resource: { Ref: "CursorKeySecret" },
};
