import type * as z from "zod/mini";
import type { Account } from "../domain/account";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "../domain/arn";
import type { Actor } from "../domain/audit";
import { RegistrationTokenSpentError, VerificationFailedError } from "../domain/errors";
import {
  deleteDeregisters,
  type StackMessage,
  TENANT_TEMPLATE_VERSION,
} from "../domain/stack-message";
import { externalIdCandidates } from "../domain/tenant";
import { illFormedTextAt } from "../domain/text";
import { AppError } from "../errors";
import { CustomResourceRequest, type CustomResourceResponse } from "../events/custom-resource";
import type {
  CustomResourceResponder,
  RegistrationTokenRecord,
  RegistrationTokenStore,
} from "../ports/accounts";
import type { Clock } from "../ports/common";
import type { TenantStore } from "../ports/tenants";
import type { AccountService } from "./account-service";
import type { AuditTrail } from "./audit-trail";
import { hashRegistrationToken } from "./onboarding-service";
import type { StackConfirmation } from "./stack-confirmation";

export interface RegistrationServiceDeps {
  accounts: AccountService;
  tokens: RegistrationTokenStore;
  /** The tenant's external IDs, to ask its stack through its role (any status: a Delete still counts). */
  tenants: Pick<TenantStore, "get">;
  /** Asks the stack whether it sent the message: nothing changes without its word. */
  confirmation: StackConfirmation;
  /** How long a Create or an Update keeps asking (a role created seconds ago takes a while to work). */
  confirmRetryBudgetMs: number;
  responder: CustomResourceResponder;
  trail: AuditTrail;
  clock: Clock;
  /**
   * Where answers may go. Anyone can publish to the registration topic, so the ResponseURL is
   * untrusted input: only CloudFormation's pre-signed S3 URLs (https, *.amazonaws.com[.cn]) are
   * answered, plus exact origins listed here (tests use a loopback listener).
   */
  extraResponseOrigins: readonly string[];
}

export interface RegistrationOutcome {
  answered: boolean;
  status?: "SUCCESS" | "FAILED";
  reason?: string;
}

const MAX_REASON = 1000;

/**
 * Tokens created before they were bound to stacks (this version of the code) may belong to a
 * stack that registered its account unbound. Only those may be bound late, by that stack's Update
 * or Delete; every later token is bound by its stack's Create, or never.
 */
export const UNBOUND_TOKENS_BEFORE = "2026-12-02T07:34:10.000Z";

function physicalId(accountId: string | undefined): string {
  return `cp-registration-${accountId && ACCOUNT_ID_PATTERN.test(accountId) ? accountId : "invalid"}`;
}

/**
 * Whether the token is this stack's: bound to it, or (for tokens created before tokens were bound
 * to stacks) unbound while the account this stack registered is younger than the token. A token
 * made since is never adopted this way: an unused link must not adopt someone else's stack.
 */
function ownedBy(
  token: RegistrationTokenRecord,
  stackId: string,
  account: Account | undefined,
): boolean {
  if (token.boundStackId !== undefined) return token.boundStackId === stackId;
  return (
    account !== undefined &&
    token.createdAt < UNBOUND_TOKENS_BEFORE &&
    token.createdAt <= account.createdAt
  );
}

/** The template version a message reports; version 1 sent none. */
function templateVersionOf(raw: string | undefined): number {
  const n = raw === undefined ? 1 : Number(raw);
  // No version above the control plane's own: a message cannot claim a template that is not out.
  return Number.isInteger(n) && n >= 1 ? Math.min(n, TENANT_TEMPLATE_VERSION) : 1;
}

/** How long a Delete keeps asking its stack (a deleted role is not coming back). */
const DELETE_CONFIRM_BUDGET_MS = 10_000;

/**
 * The custom resource in a tenant's stack reports here (through SNS). Create registers and
 * verifies the account and binds the registration token to the stack; Update re-verifies the
 * stack's own account (the role ARN may change); Delete deregisters it. Messages of any other
 * stack change nothing.
 * Every request that carries a usable ResponseURL is answered, SUCCESS or FAILED with a reason a
 * tenant admin can act on, so that no stack waits an hour for an answer.
 */
export class RegistrationService {
  constructor(private readonly deps: RegistrationServiceDeps) {}

  /**
   * CloudFormation's response URLs are pre-signed S3 URLs of its own bucket in the stack's region:
   * https://cloudformation-custom-resource-response-<region without dashes>.s3[.-]...amazonaws.com
   * (.com.cn in China). Anything else, or another region or partition than the StackId's, is not
   * answered: the registration function is no open HTTP relay.
   */
  responseUrlAllowed(raw: string, stackId: string): boolean {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return false;
    }
    if (this.deps.extraResponseOrigins.includes(url.origin)) return true;
    const [, partition, , region] = stackId.split(":");
    if (!partition || !region || !REGION_PATTERN.test(region)) return false;
    const suffix = partition === "aws-cn" ? ".amazonaws.com.cn" : ".amazonaws.com";
    const bucket = `cloudformation-custom-resource-response-${region.replaceAll("-", "")}.`;
    return (
      url.protocol === "https:" &&
      url.hostname.startsWith(bucket) &&
      url.hostname.endsWith(suffix) &&
      /^[a-z0-9.-]+$/.test(url.hostname) &&
      url.username === "" &&
      url.password === "" &&
      url.port === ""
    );
  }

  async handle(message: string): Promise<RegistrationOutcome> {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return { answered: false, reason: "message is not JSON" };
    }
    // A string that is not well-formed Unicode (a lone surrogate) cannot be stored or answered
    // faithfully: the request is malformed, as at the API's boundary.
    const parsed =
      illFormedTextAt(json) === undefined
        ? CustomResourceRequest.safeParse(json)
        : { success: false as const };
    const responseUrl = (json as { ResponseURL?: unknown } | null)?.ResponseURL;
    if (!parsed.success) {
      // Answer what can be answered, so that the stack does not hang.
      const j = (json ?? {}) as Record<string, unknown>;
      if (
        typeof responseUrl === "string" &&
        typeof j.StackId === "string" &&
        this.responseUrlAllowed(responseUrl, j.StackId) &&
        typeof j.RequestId === "string" &&
        typeof j.LogicalResourceId === "string"
      ) {
        return this.answer(responseUrl, j.StackId, {
          Status: j.RequestType === "Delete" ? "SUCCESS" : "FAILED",
          Reason: "INVALID_REQUEST: the custom resource request is malformed",
          PhysicalResourceId:
            typeof j.PhysicalResourceId === "string"
              ? j.PhysicalResourceId.slice(0, 1024)
              : physicalId(undefined),
          StackId: j.StackId,
          RequestId: j.RequestId,
          LogicalResourceId: j.LogicalResourceId,
        });
      }
      return { answered: false, reason: "request is malformed and has nowhere to answer" };
    }
    const req = parsed.data;
    // Nothing is done for a request that cannot be answered where CloudFormation listens.
    if (!this.responseUrlAllowed(req.ResponseURL, req.StackId)) {
      return { answered: false, reason: "ResponseURL is not a CloudFormation response URL" };
    }
    try {
      return await this.process(req);
    } catch {
      // An unexpected failure (the table busy, say) must still answer, or the stack hangs.
      return this.answer(req.ResponseURL, req.StackId, {
        StackId: req.StackId,
        RequestId: req.RequestId,
        LogicalResourceId: req.LogicalResourceId,
        PhysicalResourceId: req.PhysicalResourceId ?? physicalId(req.ResourceProperties?.AccountId),
        // Nothing changed; a Delete still succeeds, so that the stack can always be deleted.
        Status: req.RequestType === "Delete" ? "SUCCESS" : "FAILED",
        Reason:
          "INTERNAL_ERROR: the control plane could not process the request; retry the stack operation later",
      });
    }
  }

  private async process(req: z.output<typeof CustomResourceRequest>): Promise<RegistrationOutcome> {
    const props = req.ResourceProperties ?? {};
    const base = {
      StackId: req.StackId,
      RequestId: req.RequestId,
      LogicalResourceId: req.LogicalResourceId,
      PhysicalResourceId: req.PhysicalResourceId ?? physicalId(props.AccountId),
    };
    const fail = (reason: string) =>
      this.answer(req.ResponseURL, req.StackId, {
        ...base,
        Status: req.RequestType === "Delete" ? "SUCCESS" : "FAILED",
        Reason: reason,
      });

    const tokenHash = props.RegistrationToken
      ? hashRegistrationToken(props.RegistrationToken)
      : undefined;
    const token = tokenHash ? await this.deps.tokens.find(tokenHash) : undefined;
    if (!token)
      return fail(
        "INVALID_REGISTRATION_TOKEN: the registration token is unknown; create the stack from a fresh onboarding link",
      );
    // From here the tenant is known: every refusal is on its audit trail, with the stack.
    const actor: Actor = {
      requestId: req.RequestId,
      keyId: "stack",
      keyRole: "stack",
      stackId: req.StackId,
    };
    const recordRefusal = (reason: string) =>
      this.deps.trail.record(actor, {
        action: "STACK_MESSAGE",
        tenantId: token.tenantId,
        ...(props.AccountId && ACCOUNT_ID_PATTERN.test(props.AccountId)
          ? { accountId: props.AccountId }
          : {}),
        source: "cloudformation",
        outcome: "REFUSED",
        code: reason.slice(0, reason.indexOf(":")),
        target: req.RequestType,
      });
    const refuse = async (reason: string) => {
      await recordRefusal(reason);
      return fail(reason);
    };
    if (!props.AccountId || !ACCOUNT_ID_PATTERN.test(props.AccountId))
      return refuse("INVALID_ACCOUNT_ID: AccountId must be 12 digits");
    // The stack runs in the account it registers: its StackId names that account.
    if (req.StackId.split(":")[4] !== props.AccountId) {
      return refuse("ACCOUNT_MISMATCH: the stack does not run in the account it registers");
    }

    // The token is anyone's who can read the stack's parameters (the link's parameters cannot be
    // hidden), so it is bound to the first stack that registered with it: only that stack's
    // messages act. And anyone who can read the stack can publish a message naming it, so no
    // message acts before the stack itself confirms it (StackConfirmation).
    const message: StackMessage = {
      requestType: req.RequestType,
      stackId: req.StackId,
      ...(props.RegistrationToken === undefined
        ? {}
        : { registrationToken: props.RegistrationToken }),
      ...(props.RoleArn === undefined ? {} : { roleArn: props.RoleArn }),
      ...(props.StackRegion === undefined ? {} : { stackRegion: props.StackRegion }),
    };
    const confirm = async (
      roleArn: string,
      acceptedExternalId: string | undefined,
      registeredRoleArn?: string,
    ) => {
      const tenant = await this.deps.tenants.get(token.tenantId);
      if (!tenant)
        return { ok: false as const, code: "TENANT_NOT_FOUND", message: "no such tenant" };
      return this.deps.confirmation.confirm({
        message,
        roleArn,
        externalIds: externalIdCandidates(
          tenant.externalId,
          acceptedExternalId,
          this.deps.clock.now(),
        ),
        retryBudgetMs:
          req.RequestType === "Delete" ? DELETE_CONFIRM_BUDGET_MS : this.deps.confirmRetryBudgetMs,
        ...(registeredRoleArn === undefined ? {} : { registeredRoleArn }),
      });
    };
    const unconfirmed = (c: { code: string; message: string }) =>
      refuse(
        `${c.code}: the control plane could not confirm this request with the stack: ${c.message}`,
      );

    const spent = () =>
      refuse(
        `REGISTRATION_TOKEN_SPENT: this registration token belongs to another stack; ${req.RequestType === "Create" ? "create the stack from a fresh onboarding link" : "only that stack's messages are accepted"}`,
      );
    if (req.RequestType === "Delete") {
      // Only the stack that registered the account (its token bound to it) deregisters it, and only
      // when the stack confirms that it is being deleted. Delete always answers SUCCESS, so that a
      // stack can always be deleted: an unconfirmed one leaves the account (its health check then
      // shows the role gone; an admin removes it).
      const account = await this.deps.accounts.stackAccount(
        token.tenantId,
        props.AccountId,
        req.StackId,
      );
      if (!account || !ownedBy(token, req.StackId, account))
        return this.answer(req.ResponseURL, req.StackId, { ...base, Status: "SUCCESS" });
      const confirmed = await confirm(account.roleArn, account.acceptedExternalId);
      if (!confirmed.ok) return unconfirmed(confirmed);
      if (deleteDeregisters(confirmed.status))
        await this.deps.accounts.deregisterStack(
          token.tenantId,
          props.AccountId,
          req.StackId,
          actor,
        );
      return this.answer(req.ResponseURL, req.StackId, { ...base, Status: "SUCCESS" });
    }
    if (!props.RoleArn) return refuse("INVALID_ROLE_ARN: RoleArn is missing");
    // The role is checked before the control plane assumes it: in the stack's account, its
    // partition, never the control plane's own account (whose roles a message must not probe).
    try {
      this.deps.accounts.parseRole(props.AccountId, props.RoleArn);
    } catch (err) {
      if (err instanceof AppError) return refuse(`${err.code}: ${err.message}`);
      throw err;
    }
    const regions = props.StackRegion ? [props.StackRegion] : [];
    if (regions.some((r) => !REGION_PATTERN.test(r)))
      return refuse("INVALID_REGION: a region name is not valid");
    if (req.RequestType === "Update") {
      const account = await this.deps.accounts.stackAccount(
        token.tenantId,
        props.AccountId,
        req.StackId,
      );
      if (!ownedBy(token, req.StackId, account)) return spent();
      const confirmed = await confirm(props.RoleArn, account?.acceptedExternalId, account?.roleArn);
      if (!confirmed.ok) {
        // An Update that would change nothing needs no confirmation: it succeeds, so that a stack
        // whose role may not read it (template version 1) does not fail an update, or its
        // rollback, over a registration that stays as it is. The refusal is still on record.
        if (
          account &&
          account.roleArn === props.RoleArn &&
          account.regions.length === 1 &&
          account.regions[0] === props.StackRegion
        ) {
          await recordRefusal(
            `${confirmed.code}: the control plane could not confirm this request with the stack: ${confirmed.message}`,
          );
          return this.answer(req.ResponseURL, req.StackId, {
            ...base,
            PhysicalResourceId: physicalId(props.AccountId),
            Status: "SUCCESS",
          });
        }
        return unconfirmed(confirmed);
      }
      // A stack of the days before tokens were bound: its token is bound to it now.
      if (
        token.boundStackId === undefined &&
        !(await this.deps.tokens.bind(
          tokenHash as string,
          req.StackId,
          this.deps.clock.now().toISOString(),
        ))
      )
        return spent();
    } else {
      if (Date.parse(token.validUntil) <= this.deps.clock.now().getTime()) {
        return refuse(
          "REGISTRATION_TOKEN_EXPIRED: the onboarding link has expired; create the stack from a fresh link",
        );
      }
      // Refused early when spent already; otherwise bound only with a registration that succeeds.
      if (token.boundStackId !== undefined && token.boundStackId !== req.StackId) return spent();
      const confirmed = await confirm(props.RoleArn, undefined);
      if (!confirmed.ok) return unconfirmed(confirmed);
    }
    const input = { accountId: props.AccountId, roleArn: props.RoleArn, regions };
    try {
      const { account } = await this.registerOnceMore(() =>
        this.deps.accounts.register(
          token.tenantId,
          input,
          {
            kind: "cloudformation",
            stackId: req.StackId,
            templateVersion: templateVersionOf(props.TemplateVersion),
          },
          actor,
          {
            requireExisting: req.RequestType === "Update",
            ...(req.RequestType === "Create"
              ? {
                  guard: {
                    registrationToken: {
                      tokenHash: tokenHash as string,
                      stackId: req.StackId,
                      at: this.deps.clock.now().toISOString(),
                    },
                  },
                }
              : {}),
          },
        ),
      );
      return this.answer(req.ResponseURL, req.StackId, {
        ...base,
        PhysicalResourceId: physicalId(props.AccountId),
        Status: "SUCCESS",
        Data: { AccountId: account.accountId, Status: account.status },
      });
    } catch (err) {
      // A failed verification is on record already (the registration's own record).
      if (err instanceof VerificationFailedError) return fail(`${err.code}: ${err.message}`);
      if (err instanceof RegistrationTokenSpentError) return spent();
      if (err instanceof AppError) return refuse(`${err.code}: ${err.message}`);
      return fail(
        "INTERNAL_ERROR: the control plane could not register the account; retry the stack operation later",
      );
    }
  }

  /**
   * A stack's message registers again once when its write lost a race (the same message delivered
   * twice by SNS, or one copied from the stack while it waits): the stack may say it twice, so the
   * second attempt sees the first's account and re-verifies instead of failing the stack.
   */
  private async registerOnceMore<T>(register: () => Promise<T>): Promise<T> {
    try {
      return await register();
    } catch (err) {
      if (err instanceof AppError && err.code === "CONCURRENT_MODIFICATION") return register();
      throw err;
    }
  }

  private async answer(
    url: string,
    stackId: string,
    response: CustomResourceResponse,
  ): Promise<RegistrationOutcome> {
    if (!this.responseUrlAllowed(url, stackId))
      return { answered: false, reason: "ResponseURL is not a CloudFormation response URL" };
    const body: CustomResourceResponse = {
      ...response,
      ...(response.Reason ? { Reason: response.Reason.slice(0, MAX_REASON) } : {}),
    };
    await this.deps.responder.send(url, JSON.stringify(body));
    return { answered: true, status: body.Status, ...(body.Reason ? { reason: body.Reason } : {}) };
  }
}
