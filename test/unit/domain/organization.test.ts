import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Account, AccountSource } from "../../../shared/domain/account";
import { planSync } from "../../../shared/domain/organization";
import { ROOT } from "../../../tools/local-aws/local-stack";
import { anAccount } from "../../support/domain";

interface Case {
  name: string;
  members: [string, string][];
  inScope: string[];
  /** [accountId, status, source]: source "api", "cloudformation" or "organization:<management id>". */
  accounts: [string, Account["status"], string][];
  expect: {
    register: string[];
    alreadyRegistered: string[];
    skipped: [string, string][];
    detach: [string, string][];
  };
}

const fixture = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/organizations/plan-cases.json"), "utf8"),
) as { managementAccountId: string; cases: Case[] };

function account([accountId, status, source]: Case["accounts"][number]): Account {
  const [kind, managementAccountId] = source.split(":");
  return anAccount(accountId, {
    status,
    source: {
      kind: kind as AccountSource["kind"],
      ...(managementAccountId ? { managementAccountId } : {}),
    },
  });
}

describe("planSync", () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const plan = planSync({
      managementAccountId: fixture.managementAccountId,
      members: c.members.map(([accountId, state]) => ({ accountId, state })),
      inScope: new Set(c.inScope),
      accounts: c.accounts.map(account),
    });
    expect({
      register: plan.register,
      alreadyRegistered: plan.alreadyRegistered,
      skipped: plan.skipped.map((s) => [s.accountId, s.reason]),
      detach: plan.detach.map((d) => [d.account.accountId, d.reason]),
    }).toEqual(c.expect);
  });
});
