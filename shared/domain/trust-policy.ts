import { type AccessPrincipal, accountRootArn, principalArnPattern } from "./access-principal";
import type { VerificationFailure } from "./verification";

/**
 * The trust-policy lint, shared by registration and the health checks. A tenant role passes when
 * every Allow statement that grants sts:AssumeRole, sts:TagSession or sts:SetSourceIdentity:
 *  - names exactly the control plane account's root as its only principal (no `*`, no other
 *    account, service or federated principal, no NotPrincipal / NotAction),
 *  - requires `aws:PrincipalArn` to match exactly the control plane's access-role pattern,
 *  - requires `StringEquals sts:ExternalId` with only this tenant's valid external IDs;
 * and the statements together let the control plane call all three actions.
 */
export interface TrustExpectation {
  principal: AccessPrincipal;
  /** The tenant's external IDs that are valid now (current, and previous during its overlap). */
  externalIds: readonly string[];
}

type Json = unknown;
const STS_ACTIONS = ["sts:assumerole", "sts:tagsession", "sts:setsourceidentity"] as const;

function asArray(v: Json): Json[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** IAM action patterns (`sts:*`, `sts:Assume*`, `*`) against one action, case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(action);
}

function grantedActions(statement: Record<string, Json>): Set<string> {
  const patterns = asArray(statement.Action).filter((a): a is string => typeof a === "string");
  return new Set(STS_ACTIONS.filter((action) => patterns.some((p) => actionMatches(p, action))));
}

/** Condition values for a key under one operator; keys are case-insensitive in IAM. */
function conditionValues(
  condition: Record<string, Json>,
  operator: string,
  key: string,
): Json[] | undefined {
  const block = condition[operator];
  if (!block || typeof block !== "object") return undefined;
  for (const [k, v] of Object.entries(block as Record<string, Json>)) {
    if (k.toLowerCase() === key.toLowerCase()) return asArray(v);
  }
  return undefined;
}

function operatorsMentioning(condition: Record<string, Json>, key: string): string[] {
  return Object.entries(condition)
    .filter(
      ([, block]) =>
        block &&
        typeof block === "object" &&
        Object.keys(block as object).some((k) => k.toLowerCase() === key.toLowerCase()),
    )
    .map(([op]) => op);
}

function fail(code: VerificationFailure["code"], message: string): VerificationFailure {
  return { code, message };
}

export function checkTrustPolicy(
  policy: Json,
  expected: TrustExpectation,
): VerificationFailure | undefined {
  if (!policy || typeof policy !== "object")
    return fail(
      "TRUST_POLICY_TOO_BROAD",
      "The role's trust policy could not be read as a policy document.",
    );
  const statements = asArray((policy as Record<string, Json>).Statement).filter(
    (s): s is Record<string, Json> => !!s && typeof s === "object",
  );
  const root = accountRootArn(expected.principal);
  const pattern = principalArnPattern(expected.principal);
  const granted = new Set<string>();

  for (const st of statements) {
    if (st.Effect !== "Allow") continue;
    if ("NotPrincipal" in st || "NotAction" in st) {
      return fail(
        "TRUST_POLICY_TOO_BROAD",
        "An Allow statement uses NotPrincipal or NotAction; remove it and name the control plane explicitly.",
      );
    }
    const actions = grantedActions(st);
    if (actions.size === 0) continue;

    const principal = st.Principal;
    const awsPrincipals =
      principal && typeof principal === "object" && !Array.isArray(principal)
        ? asArray((principal as Record<string, Json>).AWS)
        : undefined;
    const otherKinds =
      principal &&
      typeof principal === "object" &&
      Object.keys(principal as object).some((k) => k !== "AWS");
    const onlyUs =
      awsPrincipals !== undefined &&
      !otherKinds &&
      awsPrincipals.length > 0 &&
      awsPrincipals.every((p) => p === root || p === expected.principal.accountId);
    if (!onlyUs) {
      return fail(
        "TRUST_POLICY_TOO_BROAD",
        `Every statement that allows sts:AssumeRole must name only ${root} as principal; found ${JSON.stringify(principal ?? null)}.`,
      );
    }

    const condition = (
      st.Condition && typeof st.Condition === "object" ? st.Condition : {}
    ) as Record<string, Json>;
    const externalIds = conditionValues(condition, "StringEquals", "sts:ExternalId");
    // An empty list pins nothing: as good as no condition.
    if (externalIds === undefined || externalIds.length === 0) {
      const others = operatorsMentioning(condition, "sts:ExternalId");
      return fail(
        "EXTERNAL_ID_NOT_REQUIRED",
        others.length > 0
          ? `The trust policy tests sts:ExternalId with ${others.join(", ")}; it must use StringEquals with your external ID.`
          : "A statement allows the control plane without the condition StringEquals sts:ExternalId = your external ID.",
      );
    }
    const unknown = externalIds.filter(
      (v) => typeof v !== "string" || !expected.externalIds.includes(v),
    );
    if (unknown.length > 0) {
      return fail(
        "EXTERNAL_ID_MISMATCH",
        "The trust policy's sts:ExternalId is not your current external ID; update the stack (or the policy) with the one the control plane shows for your tenant.",
      );
    }

    const principalArns =
      conditionValues(condition, "ArnLike", "aws:PrincipalArn") ??
      conditionValues(condition, "ArnEquals", "aws:PrincipalArn");
    if (principalArns === undefined || principalArns.length !== 1 || principalArns[0] !== pattern) {
      return fail(
        "TRUST_POLICY_TOO_BROAD",
        `The trust policy trusts the whole control plane account; it must also require ArnLike aws:PrincipalArn = ${pattern}.`,
      );
    }
    for (const a of actions) granted.add(a);
  }

  if (!granted.has("sts:assumerole")) {
    return fail("ACCESS_DENIED", `The trust policy does not allow ${root} to call sts:AssumeRole.`);
  }
  const missing = STS_ACTIONS.filter((a) => !granted.has(a));
  if (missing.length > 0) {
    return fail(
      "ACCESS_DENIED",
      "The trust policy must also allow sts:TagSession and sts:SetSourceIdentity, which every session the control plane issues uses.",
    );
  }
  return undefined;
}
