import type { Account } from "../../shared/domain/account";
import type { Tenant } from "../../shared/domain/tenant";

/** An ACTIVE tenant for unit tests, with the given fields changed. */
export function aTenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    tenantId: "tnt_a",
    name: "A",
    status: "ACTIVE",
    externalId: { current: "cpx-a", currentSince: "2026-11-23T09:00:00.000Z" },
    createdAt: "x",
    updatedAt: "x",
    version: 1,
    ...overrides,
  };
}

/** A VERIFIED account of tenant tnt_a with role Access, registered through the API. */
export function anAccount(accountId: string, overrides: Partial<Account> = {}): Account {
  return {
    tenantId: "tnt_a",
    accountId,
    roleArn: `arn:aws:iam::${accountId}:role/Access`,
    partition: "aws",
    regions: [],
    status: "VERIFIED",
    lastVerification: { at: "x" },
    source: { kind: "api" },
    createdAt: "x",
    updatedAt: "x",
    version: 1,
    ...overrides,
  };
}
