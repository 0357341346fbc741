import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ROOT } from "../../../scripts/local-stack";
import { BadRequestError, ServiceUnavailableError } from "../../../shared/errors";
import type { RegistrationTokenRecord } from "../../../shared/ports";
import type { AccountService } from "../../../shared/services/account-service";
import { hashRegistrationToken } from "../../../shared/services/onboarding-service";
import { RegistrationService } from "../../../shared/services/registration-service";
import { ManualClock } from "../../support/fakes";

const request = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/cloudformation/custom-resource-request.json"), "utf8"),
);
const TOKEN = request.ResourceProperties.RegistrationToken as string;

function setup(
  options: {
    token?: Partial<RegistrationTokenRecord> | null;
    register?: () => Promise<unknown>;
  } = {},
) {
  const clock = new ManualClock(new Date("2026-11-23T10:00:00.000Z"));
  const sent: { url: string; body: Record<string, unknown> }[] = [];
  const record: RegistrationTokenRecord = {
    tenantId: "tnt_a",
    validUntil: "2026-11-30T10:00:00.000Z",
    createdAt: "2026-11-23T09:00:00.000Z",
    ...options.token,
  };
  const accounts = {
    register: vi.fn(
      options.register ??
        (async () => ({
          account: { accountId: "444455556666", status: "VERIFIED" },
          created: true,
        })),
    ),
    deregisterStack: vi.fn(async () => true),
  };
  const service = new RegistrationService({
    accounts: accounts as unknown as AccountService,
    tokens: {
      create: async () => undefined,
      find: async (hash) =>
        options.token === null || hash !== hashRegistrationToken(TOKEN) ? undefined : record,
    },
    responder: { send: async (url, body) => void sent.push({ url, body: JSON.parse(body) }) },
    clock,
    extraResponseOrigins: [],
  });
  return { service, sent, accounts, clock };
}

describe("RegistrationService", () => {
  it.each([
    ["CloudFormation's pre-signed S3 URL", request.ResponseURL, true],
    [
      "a China-region S3 URL",
      "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x?sig=1",
      true,
    ],
    [
      "plain http",
      "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
      false,
    ],
    ["the instance metadata address", "http://169.254.169.254/latest/meta-data/", false],
    ["a look-alike host", "https://amazonaws.com.attacker.example/x", false],
    ["a host ending in the suffix without a dot", "https://evilamazonaws.com/x", false],
    ["credentials in the URL", "https://user:pw@bucket.s3.amazonaws.com/x", false],
    ["not a URL", "::::", false],
  ])("answers %s: %s", (_name, url, allowed) => {
    expect(setup().service.responseUrlAllowed(url)).toBe(allowed);
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
      { kind: "cloudformation", stackId: request.StackId },
    );
    expect(sent[0]?.body).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: "cp-registration-444455556666",
      Data: { Status: "VERIFIED" },
    });
  });

  it("refuses Create with an expired token, but lets Update and Delete through", async () => {
    const { service, sent, clock } = setup();
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

  it("refuses a stack that registers an account other than its own", async () => {
    const { service, sent, accounts } = setup();
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

  it("ignores a message that is not JSON, without throwing", async () => {
    const { service, sent } = setup();
    await expect(service.handle("not json")).resolves.toMatchObject({ answered: false });
    expect(sent).toEqual([]);
  });
});
