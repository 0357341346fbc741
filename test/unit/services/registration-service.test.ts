import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { RegistrationTokenSpentError } from "../../../shared/domain/errors";
import { STACK_STATES_FOR } from "../../../shared/domain/stack-message";
import { BadRequestError, ConflictError, ServiceUnavailableError } from "../../../shared/errors";
import type { RegistrationTokenRecord, WriteGuard } from "../../../shared/ports/accounts";
import type { AccountService } from "../../../shared/services/account-service";
import { AuditTrail } from "../../../shared/services/audit-trail";
import { hashRegistrationToken } from "../../../shared/services/onboarding-service";
import { RegistrationService } from "../../../shared/services/registration-service";
import type { Confirmation, StackConfirmation } from "../../../shared/services/stack-confirmation";
import { ROOT } from "../../../tools/local-aws/local-stack";
import { aTenant } from "../../support/domain";
import { ManualClock } from "../../support/fakes";
import { MemoryAuditStore } from "../../support/memory";

const request = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/cloudformation/custom-resource-request.json"), "utf8"),
);
const TOKEN = request.ResourceProperties.RegistrationToken as string;

function setup(
  options: {
    token?: Partial<RegistrationTokenRecord> | null;
    register?: () => Promise<unknown>;
    /** The account registered by the message's stack, as the store has it. */
    stackAccount?: { createdAt: string; roleArn?: string };
    /** What the stack says of the message (StackConfirmation); confirmed by default. */
    confirm?: Confirmation;
  } = {},
) {
  const clock = new ManualClock(new Date("2026-11-23T10:00:00.000Z"));
  const sent: { url: string; body: Record<string, unknown> }[] = [];
  const audit = new MemoryAuditStore();
  const record: RegistrationTokenRecord = {
    tenantId: "tnt_a",
    validUntil: "2026-11-30T10:00:00.000Z",
    createdAt: "2026-11-23T09:00:00.000Z",
    ...options.token,
  };
  const bind = (stackId: string) => {
    if (record.boundStackId !== undefined && record.boundStackId !== stackId) return false;
    record.boundStackId = stackId;
    return true;
  };
  const accounts = {
    register: vi.fn(async (...args: unknown[]) => {
      const registered = await (options.register ?? (async () => undefined))();
      // As the store's transaction does: the token is bound with the write, or nothing is written.
      const guard = (args[4] as { guard?: WriteGuard }).guard;
      if (guard && "registrationToken" in guard && !bind(guard.registrationToken.stackId))
        throw new RegistrationTokenSpentError();
      return (
        registered ?? { account: { accountId: "444455556666", status: "VERIFIED" }, created: true }
      );
    }),
    // As AccountService checks a role ARN: in the stack's account, never the control plane's.
    parseRole: vi.fn((accountId: string, roleArn: string) => {
      if (roleArn.split(":")[4] !== accountId)
        throw new BadRequestError("ROLE_ARN_ACCOUNT_MISMATCH", "another account");
      if (accountId === "123456789012")
        throw new BadRequestError("CONTROL_PLANE_ACCOUNT", "the control plane's own account");
    }),
    deregisterStack: vi.fn(async () => true),
    stackAccount: vi.fn(async () =>
      options.stackAccount
        ? {
            roleArn: STORED_ROLE,
            regions: ["us-east-1"],
            acceptedExternalId: "cpx-a",
            ...options.stackAccount,
          }
        : undefined,
    ),
  };
  // By default the stack confirms, in the state in which CloudFormation sends that request.
  const confirm = vi.fn(
    async (input: { message: { requestType: keyof typeof STACK_STATES_FOR } }) =>
      options.confirm ?? {
        ok: true as const,
        status: STACK_STATES_FOR[input.message.requestType][0] as string,
      },
  );
  const service = new RegistrationService({
    accounts: accounts as unknown as AccountService,
    tokens: {
      create: async () => undefined,
      find: async (hash) =>
        options.token === null || hash !== hashRegistrationToken(TOKEN) ? undefined : { ...record },
      bind: async (_hash, stackId) => bind(stackId),
    },
    responder: { send: async (url, body) => void sent.push({ url, body: JSON.parse(body) }) },
    trail: new AuditTrail({ audit, clock }),
    clock,
    extraResponseOrigins: [],
    tenants: { get: async () => aTenant({ tenantId: "tnt_a" }) },
    confirmation: { confirm } as unknown as StackConfirmation,
    confirmRetryBudgetMs: 60_000,
  });
  return { service, sent, accounts, clock, record, audit, confirm };
}

/** The role the store has for the stack's account (a Delete asks through it, not the message's). */
const STORED_ROLE = "arn:aws:iam::444455556666:role/Stored";
const GUARD = {
  guard: { registrationToken: expect.objectContaining({ stackId: request.StackId }) },
};
const OTHER_STACK = "arn:aws:cloudformation:us-east-1:444455556666:stack/Made-Up/0000";
const CN_STACK = "arn:aws-cn:cloudformation:cn-north-1:444455556666:stack/S/1";
const EU_STACK = "arn:aws:cloudformation:eu-west-1:444455556666:stack/S/1";

describe("RegistrationService", () => {
  it.each([
    ["CloudFormation's pre-signed S3 URL", request.ResponseURL, request.StackId, true],
    [
      "a China-region S3 URL, for a stack there",
      "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x?sig=1",
      CN_STACK,
      true,
    ],
    [
      "a China-region S3 URL, for a stack in us-east-1",
      "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x",
      request.StackId,
      false,
    ],
    [
      "an eu-west-1 URL, for a stack there",
      "https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x",
      EU_STACK,
      true,
    ],
    [
      "an eu-west-1 URL, for a stack in us-east-1",
      "https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x",
      request.StackId,
      false,
    ],
    ["another S3 bucket", "https://attacker-bucket.s3.amazonaws.com/x", request.StackId, false],
    [
      "plain http",
      "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
      request.StackId,
      false,
    ],
    [
      "the instance metadata address",
      "http://169.254.169.254/latest/meta-data/",
      request.StackId,
      false,
    ],
    ["a look-alike host", "https://amazonaws.com.attacker.example/x", request.StackId, false],
    [
      "a host ending in the suffix without a dot",
      "https://evilamazonaws.com/x",
      request.StackId,
      false,
    ],
    [
      "credentials in the URL",
      "https://user:pw@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
      request.StackId,
      false,
    ],
    [
      "another port",
      "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x",
      request.StackId,
      false,
    ],
    ["not a URL", "::::", request.StackId, false],
  ])("answers %s: %s", (_name, url, stackId, allowed) => {
    expect(setup().service.responseUrlAllowed(url, stackId)).toBe(allowed);
  });

  it("does not answer (or act on) a request whose ResponseURL is not CloudFormation's", async () => {
    const { service, sent, accounts } = setup();
    const out = await service.handle(
      JSON.stringify({ ...request, ResponseURL: "http://169.254.169.254/" }),
    );
    expect(out.answered).toBe(false);
    expect(sent).toEqual([]);
    expect(accounts.register).not.toHaveBeenCalled();
  });

  it("registers on Create and answers SUCCESS with the account", async () => {
    const { service, sent, accounts } = setup();
    await service.handle(JSON.stringify(request));
    expect(accounts.register).toHaveBeenCalledWith(
      "tnt_a",
      {
        accountId: "444455556666",
        roleArn: request.ResourceProperties.RoleArn,
        regions: ["us-east-1"],
      },
      { kind: "cloudformation", stackId: request.StackId, templateVersion: 2 },
      { requestId: request.RequestId, keyId: "stack", keyRole: "stack", stackId: request.StackId },
      { requireExisting: false, ...GUARD },
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: "cp-registration-444455556666",
      Data: { Status: "VERIFIED" },
    });
  });

  it("refuses Create with an expired token, but lets the stack it is bound to update and delete", async () => {
    const { service, sent, clock } = setup({ token: { boundStackId: request.StackId } });
    clock.advance(8 * 24 * 3600 * 1000);
    await service.handle(JSON.stringify(request));
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^REGISTRATION_TOKEN_EXPIRED/),
    });
    await service.handle(
      JSON.stringify({
        ...request,
        RequestType: "Update",
        PhysicalResourceId: "cp-registration-444455556666",
      }),
    );
    expect(sent[1]?.body.Status).toBe("SUCCESS");
    await service.handle(
      JSON.stringify({
        ...request,
        RequestType: "Delete",
        PhysicalResourceId: "cp-registration-444455556666",
      }),
    );
    expect(sent[2]?.body.Status).toBe("SUCCESS");
  });

  it("an Update with an expired token that no stack used is refused, and its Delete changes nothing", async () => {
    const { service, sent, clock, accounts } = setup();
    clock.advance(8 * 24 * 3600 * 1000);
    await service.handle(
      JSON.stringify({ ...request, RequestType: "Update", PhysicalResourceId: "p" }),
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^REGISTRATION_TOKEN_SPENT/),
    });
    await service.handle(
      JSON.stringify({ ...request, RequestType: "Delete", PhysicalResourceId: "p" }),
    );
    expect(sent[1]?.body.Status).toBe("SUCCESS");
    expect(accounts.register).not.toHaveBeenCalled();
    expect(accounts.deregisterStack).not.toHaveBeenCalled();
  });

  it("the first Create binds the token to its stack; another stack's Create with it is refused", async () => {
    const { service, sent, accounts, record } = setup();
    await service.handle(JSON.stringify(request));
    expect(record.boundStackId).toBe(request.StackId);
    expect(sent[0]?.body.Status).toBe("SUCCESS");
    // A retried Create of the same stack is still that stack's.
    await service.handle(JSON.stringify(request));
    expect(sent[1]?.body.Status).toBe("SUCCESS");
    await service.handle(JSON.stringify({ ...request, StackId: OTHER_STACK }));
    expect(sent[2]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^REGISTRATION_TOKEN_SPENT/),
    });
    expect(accounts.register).toHaveBeenCalledTimes(2);
  });

  it("another stack's Update and Delete act on nothing: FAILED and SUCCESS", async () => {
    const { service, sent, accounts } = setup({ token: { boundStackId: request.StackId } });
    const other = { ...request, StackId: OTHER_STACK, PhysicalResourceId: "p" };
    await service.handle(JSON.stringify({ ...other, RequestType: "Update" }));
    await service.handle(JSON.stringify({ ...other, RequestType: "Delete" }));
    expect(sent.map((a) => a.body.Status)).toEqual(["FAILED", "SUCCESS"]);
    expect(accounts.register).not.toHaveBeenCalled();
    expect(accounts.deregisterStack).not.toHaveBeenCalled();
  });

  it("a stack that registered its account before tokens were bound keeps updating and deleting it", async () => {
    const { service, sent, accounts, record } = setup({
      stackAccount: { createdAt: "2026-11-24T09:00:00.000Z" },
    });
    await service.handle(
      JSON.stringify({ ...request, RequestType: "Update", PhysicalResourceId: "p" }),
    );
    expect(sent[0]?.body.Status).toBe("SUCCESS");
    expect(record.boundStackId).toBe(request.StackId);
    await service.handle(
      JSON.stringify({ ...request, RequestType: "Delete", PhysicalResourceId: "p" }),
    );
    expect(accounts.deregisterStack).toHaveBeenCalledWith(
      "tnt_a",
      "444455556666",
      request.StackId,
      expect.objectContaining({ keyId: "stack", keyRole: "stack", stackId: request.StackId }),
    );
  });

  it.each([
    [
      "a token made since tokens are bound (an unused link)",
      "2026-12-02T10:00:00.000Z",
      "2026-12-03T09:00:00.000Z",
    ],
    [
      "an old token younger than the stack's account",
      "2026-11-25T09:00:00.000Z",
      "2026-11-24T09:00:00.000Z",
    ],
  ])("%s never adopts a stack's account", async (_name, tokenCreatedAt, accountCreatedAt) => {
    const { service, sent, accounts, record } = setup({
      token: { createdAt: tokenCreatedAt },
      stackAccount: { createdAt: accountCreatedAt },
    });
    const message = { ...request, PhysicalResourceId: "p" };
    await service.handle(JSON.stringify({ ...message, RequestType: "Update" }));
    await service.handle(JSON.stringify({ ...message, RequestType: "Delete" }));
    expect(sent.map((a) => a.body.Status)).toEqual(["FAILED", "SUCCESS"]);
    expect(sent[0]?.body.Reason).toMatch(/^REGISTRATION_TOKEN_SPENT/);
    expect(record.boundStackId).toBeUndefined();
    expect(accounts.register).not.toHaveBeenCalled();
    expect(accounts.deregisterStack).not.toHaveBeenCalled();
  });

  it("the bound stack's Update re-verifies only an account it registered", async () => {
    const { service, accounts } = setup({ token: { boundStackId: request.StackId } });
    await service.handle(
      JSON.stringify({ ...request, RequestType: "Update", PhysicalResourceId: "p" }),
    );
    expect(accounts.register).toHaveBeenCalledWith(
      "tnt_a",
      expect.objectContaining({ accountId: "444455556666" }),
      { kind: "cloudformation", stackId: request.StackId, templateVersion: 2 },
      expect.objectContaining({ keyRole: "stack" }),
      { requireExisting: true },
    );
  });

  it("refuses a stack that registers an account other than its own", async () => {
    const { service, sent, accounts, audit } = setup();
    await service.handle(
      JSON.stringify({
        ...request,
        ResourceProperties: { ...request.ResourceProperties, AccountId: "999999999999" },
      }),
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^ACCOUNT_MISMATCH/),
    });
    expect(accounts.register).not.toHaveBeenCalled();
    // The refused message is on the tenant's trail, with the stack that sent it.
    expect(audit.records).toEqual([
      expect.objectContaining({
        action: "STACK_MESSAGE",
        outcome: "REFUSED",
        code: "ACCOUNT_MISMATCH",
        tenantId: "tnt_a",
        keyRole: "stack",
        stackId: request.StackId,
        target: "Create",
      }),
    ]);
  });

  it.each([
    [
      "a validation error",
      async () =>
        Promise.reject(new BadRequestError("INVALID_ROLE_ARN", "roleArn is not a role ARN")),
      /^INVALID_ROLE_ARN: roleArn/,
    ],
    [
      "the table being busy",
      async () => Promise.reject(new ServiceUnavailableError("busy")),
      /^SERVICE_UNAVAILABLE/,
    ],
    [
      "an unexpected bug",
      async () => Promise.reject(new TypeError("x is undefined")),
      /^INTERNAL_ERROR/,
    ],
  ])("answers FAILED on %s", async (_case, register, reason) => {
    const { service, sent } = setup({ register });
    await service.handle(JSON.stringify(request));
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(reason),
    });
    expect(JSON.stringify(sent[0]?.body)).not.toContain("x is undefined");
  });

  it("keeps the reason short enough for CloudFormation", async () => {
    const { service, sent } = setup({
      register: async () => Promise.reject(new BadRequestError("X", "y".repeat(5000))),
    });
    await service.handle(JSON.stringify(request));
    expect(String(sent[0]?.body.Reason).length).toBeLessThanOrEqual(1000);
  });

  describe("a message its stack does not confirm (forged by anyone who can read the stack)", () => {
    const forged: Confirmation = {
      ok: false,
      code: "STACK_STATE_MISMATCH",
      message: "the stack is CREATE_COMPLETE",
    };
    it.each([
      ["Delete", "SUCCESS"],
      ["Update", "FAILED"],
      ["Create", "FAILED"],
    ] as const)("%s changes nothing, answers %s and is audited", async (type, status) => {
      const { service, sent, accounts, audit, record } = setup({
        token: type === "Create" ? {} : { boundStackId: request.StackId },
        stackAccount: { createdAt: "2026-11-23T09:30:00.000Z" },
        confirm: forged,
      });
      await service.handle(
        JSON.stringify({ ...request, RequestType: type, PhysicalResourceId: "cp-registration-x" }),
      );
      expect(sent[0]?.body).toMatchObject({
        Status: status,
        Reason: expect.stringMatching(/^STACK_STATE_MISMATCH: /),
      });
      expect(accounts.register).not.toHaveBeenCalled();
      expect(accounts.deregisterStack).not.toHaveBeenCalled();
      // A refused Create spends no token: the tenant's real stack can still use it.
      if (type === "Create") expect(record.boundStackId).toBeUndefined();
      expect(audit.records).toEqual([
        expect.objectContaining({
          action: "STACK_MESSAGE",
          outcome: "REFUSED",
          code: "STACK_STATE_MISMATCH",
          tenantId: "tnt_a",
          stackId: request.StackId,
          target: type,
        }),
      ]);
    });

    it("a Delete during an update's cleanup is confirmed but removes nothing (a routine update passes through it)", async () => {
      const { service, sent, accounts, audit } = setup({
        token: { boundStackId: request.StackId },
        stackAccount: { createdAt: "2026-11-23T09:30:00.000Z" },
        confirm: { ok: true, status: "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" },
      });
      await service.handle(JSON.stringify({ ...request, RequestType: "Delete" }));
      expect(sent[0]?.body.Status).toBe("SUCCESS");
      expect(accounts.deregisterStack).not.toHaveBeenCalled();
      expect(audit.records).toEqual([]);
    });

    it("a Delete is asked through the role the account is registered with, not the message's", async () => {
      const { service, confirm } = setup({
        token: { boundStackId: request.StackId },
        stackAccount: { createdAt: "2026-11-23T09:30:00.000Z" },
      });
      await service.handle(JSON.stringify({ ...request, RequestType: "Delete" }));
      expect(confirm).toHaveBeenCalledWith(
        expect.objectContaining({
          roleArn: STORED_ROLE,
          externalIds: ["cpx-a"],
          message: expect.objectContaining({ requestType: "Delete", stackId: request.StackId }),
        }),
      );
    });

    it("a Create is asked through the message's role, with the tenant's external IDs", async () => {
      const { service, confirm } = setup();
      await service.handle(JSON.stringify(request));
      expect(confirm).toHaveBeenCalledWith(
        expect.objectContaining({
          roleArn: request.ResourceProperties.RoleArn,
          externalIds: ["cpx-a"],
          message: {
            requestType: "Create",
            stackId: request.StackId,
            registrationToken: TOKEN,
            roleArn: request.ResourceProperties.RoleArn,
            stackRegion: "us-east-1",
          },
        }),
      );
    });
  });

  it.each([
    [
      "in the control plane's own account",
      "123456789012",
      /^ROLE_ARN_ACCOUNT_MISMATCH|^CONTROL_PLANE/,
    ],
    ["in another account than the stack's", "999999999999", /^ROLE_ARN_ACCOUNT_MISMATCH/],
  ])("never assumes a role %s: refused before the stack is asked", async (_name, account, code) => {
    const { service, sent, confirm } = setup();
    await service.handle(
      JSON.stringify({
        ...request,
        ResourceProperties: {
          ...request.ResourceProperties,
          RoleArn: `arn:aws:iam::${account}:role/Deployer`,
        },
      }),
    );
    expect(sent[0]?.body.Reason).toMatch(code);
    expect(confirm).not.toHaveBeenCalled();
  });

  it("an unconfirmed Update that would change nothing succeeds, changing nothing, on record", async () => {
    const { service, sent, accounts, audit } = setup({
      token: { boundStackId: request.StackId },
      stackAccount: {
        createdAt: "2026-11-23T09:30:00.000Z",
        roleArn: request.ResourceProperties.RoleArn,
      },
      confirm: { ok: false, code: "STACK_UNREADABLE", message: "version 1" },
    });
    await service.handle(JSON.stringify({ ...request, RequestType: "Update" }));
    expect(sent[0]?.body.Status).toBe("SUCCESS");
    expect(accounts.register).not.toHaveBeenCalled();
    expect(audit.records).toEqual([
      expect.objectContaining({ outcome: "REFUSED", code: "STACK_UNREADABLE", target: "Update" }),
    ]);
  });

  it("a Create that loses a race to the same stack's duplicate registers again instead of failing the stack", async () => {
    let calls = 0;
    const { service, sent } = setup({
      register: async () => {
        calls += 1;
        if (calls === 1)
          throw new ConflictError("CONCURRENT_MODIFICATION", "registered concurrently");
        return undefined;
      },
    });
    await service.handle(JSON.stringify(request));
    expect(calls).toBe(2);
    expect(sent[0]?.body.Status).toBe("SUCCESS");
  });

  it.each([
    ["99", 2],
    ["2", 2],
    ["1", 1],
    ["x", 1],
  ])(
    "records TemplateVersion %s as %i (never above the current template)",
    async (reported, stored) => {
      const { service, accounts } = setup();
      await service.handle(
        JSON.stringify({
          ...request,
          ResourceProperties: { ...request.ResourceProperties, TemplateVersion: reported },
        }),
      );
      expect(accounts.register.mock.calls[0]?.[2]).toMatchObject({ templateVersion: stored });
    },
  );

  it("a Create whose registration fails leaves the token unbound; the next Create of the tenant's stack registers", async () => {
    let fail = true;
    const { service, sent, record } = setup({
      register: async () => {
        if (fail) throw new BadRequestError("CONTROL_PLANE_ACCOUNT", "the control plane's own");
        return undefined;
      },
    });
    await service.handle(JSON.stringify({ ...request, StackId: OTHER_STACK }));
    expect(sent[0]?.body.Reason).toMatch(/^CONTROL_PLANE_ACCOUNT/);
    expect(record.boundStackId).toBeUndefined();
    fail = false;
    await service.handle(JSON.stringify(request));
    expect(sent[1]?.body.Status).toBe("SUCCESS");
    expect(record.boundStackId).toBe(request.StackId);
  });

  it("a Create that loses the race for the token is refused as spent", async () => {
    const { service, sent, record } = setup({
      register: async () => {
        // Another stack bound it between the read and the write.
        record.boundStackId = OTHER_STACK;
        return undefined;
      },
    });
    await service.handle(JSON.stringify(request));
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^REGISTRATION_TOKEN_SPENT/),
    });
  });

  it.each([
    ["Regions", ["eu-west-1"]],
    ["SomethingElse", "x"],
  ])("refuses a message with a property no template sends (%s)", async (name, value) => {
    const { service, sent, accounts, confirm } = setup();
    await service.handle(
      JSON.stringify({
        ...request,
        ResourceProperties: { ...request.ResourceProperties, [name]: value },
      }),
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^INVALID_REQUEST/),
    });
    expect(accounts.register).not.toHaveBeenCalled();
    expect(confirm).not.toHaveBeenCalled();
  });

  it("refuses a message whose text is not well-formed Unicode (a lone surrogate) as malformed", async () => {
    const { service, sent, accounts, confirm } = setup();
    await service.handle(
      JSON.stringify({
        ...request,
        ResourceProperties: {
          ...request.ResourceProperties,
          RoleArn: "arn:aws:iam::1:role/x\ud800",
        },
      }),
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringMatching(/^INVALID_REQUEST/),
    });
    expect(accounts.register).not.toHaveBeenCalled();
    expect(confirm).not.toHaveBeenCalled();
  });

  it("a Delete that fails unexpectedly still answers SUCCESS (the stack can be deleted), changing nothing", async () => {
    const { service, sent, accounts } = setup({
      token: { boundStackId: request.StackId },
      stackAccount: { createdAt: "2026-11-23T09:30:00.000Z" },
    });
    accounts.deregisterStack.mockRejectedValueOnce(new ServiceUnavailableError("busy"));
    await service.handle(JSON.stringify({ ...request, RequestType: "Delete" }));
    expect(sent[0]?.body).toMatchObject({
      Status: "SUCCESS",
      Reason: expect.stringMatching(/^INTERNAL_ERROR/),
    });
  });

  it("ignores a message that is not JSON, without throwing", async () => {
    const { service, sent } = setup();
    await expect(service.handle("not json")).resolves.toMatchObject({ answered: false });
    expect(sent).toEqual([]);
  });
});
