import { firstTextWhere } from "./text";

/**
 * A permission set: a named session policy the control plane keeps and passes to AssumeRole.
 * The effective permissions of a brokered session are the intersection of the tenant role's
 * policies and this one (facts.md: session policies).
 */
export const PERMISSION_SET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Inline session policy plus managed ARNs: at most 2,048 plaintext characters (facts.md). */
export const SESSION_POLICY_MAX_CHARS = 2048;

export interface PermissionSet {
  name: string;
  description?: string;
  /** The policy document, stored and sent compacted (no insignificant whitespace). */
  policy: string;
  createdAt: string;
  updatedAt: string;
}

const ACTION_PATTERN = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const SID_PATTERN = /^[A-Za-z0-9]*$/;
const STATEMENT_KEYS = /* @__PURE__ */ new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);

/**
 * The text IAM and STS accept in a policy document: tab, line feed, carriage return and U+0020 to
 * U+00FF (the pattern of AssumeRole's Policy). The document is sent as compact JSON, which keeps
 * every other character as it is, so each key and string of the policy must be printable Latin-1:
 * U+0020 to U+007E and U+00A0 to U+00FF (the controls among them, which only a JSON escape could
 * carry, are refused as in every other text field).
 */
const POLICY_TEXT = /^[\x20-\x7e\xa0-\xff]*$/;

/** A path as a policy author reads it: Statement[0].Condition.StringEquals. */
function placeName(path: readonly PropertyKey[]): string {
  const name = path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i > 0 ? "." : ""}${String(key)}`))
    .join("");
  return name || "(root)";
}

/** Where the first key or string of the document outside POLICY_TEXT is ("Statement[0].Resource"). */
function textOutsideIam(doc: unknown): string | undefined {
  const found = firstTextWhere(doc, (text) => !POLICY_TEXT.test(text));
  if (found === undefined) return undefined;
  return found.isKey ? `a key of ${placeName(found.path.slice(0, -1))}` : placeName(found.path);
}

function isConditionScalar(v: unknown): boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"))
    return v as string[];
  return undefined;
}

/** Why a document is not a valid session policy, or undefined when it is. */
export function policyProblem(doc: unknown): string | undefined {
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    return "the policy must be a JSON object";
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (key !== "Version" && key !== "Statement" && key !== "Id")
      return `unknown policy element ${key}`;
  }
  if (d.Version !== "2012-10-17") return 'Version must be "2012-10-17"';
  if (d.Id !== undefined && typeof d.Id !== "string") return "Id must be a string";
  const outside = textOutsideIam(d);
  if (outside !== undefined)
    return `${outside}: IAM accepts only printable Latin-1 text in a policy (U+0020 to U+007E, U+00A0 to U+00FF)`;
  const statements = Array.isArray(d.Statement)
    ? d.Statement
    : d.Statement === undefined
      ? []
      : [d.Statement];
  if (statements.length === 0) return "the policy needs at least one Statement";
  for (const [i, st] of statements.entries()) {
    const where = `Statement[${i}]`;
    if (!st || typeof st !== "object" || Array.isArray(st)) return `${where} must be an object`;
    const s = st as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (key === "Principal" || key === "NotPrincipal")
        return `${where}: a session policy cannot name a principal`;
      if (!STATEMENT_KEYS.has(key)) return `${where}: unknown element ${key}`;
    }
    if (s.Sid !== undefined && (typeof s.Sid !== "string" || !SID_PATTERN.test(s.Sid)))
      return `${where}: Sid must be alphanumeric`;
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      return `${where}: Effect must be Allow or Deny`;
    if ((s.Action === undefined) === (s.NotAction === undefined))
      return `${where}: exactly one of Action and NotAction`;
    const actions = stringList(s.Action ?? s.NotAction);
    if (!actions || actions.some((a) => !ACTION_PATTERN.test(a)))
      return `${where}: actions must look like service:Action`;
    if ((s.Resource === undefined) === (s.NotResource === undefined))
      return `${where}: exactly one of Resource and NotResource`;
    const resources = stringList(s.Resource ?? s.NotResource);
    if (!resources || resources.some((r) => r !== "*" && !r.startsWith("arn:")))
      return `${where}: resources must be "*" or ARNs`;
    if (s.Condition !== undefined) {
      if (!s.Condition || typeof s.Condition !== "object" || Array.isArray(s.Condition))
        return `${where}: Condition must be an object`;
      for (const block of Object.values(s.Condition as Record<string, unknown>)) {
        if (!block || typeof block !== "object" || Array.isArray(block))
          return `${where}: each Condition operator needs an object`;
        // IAM's grammar: a condition value is a string, number or boolean, or a flat list of them.
        // Nothing deeper, so nothing later (JSON.stringify, which recurses) meets a deep value.
        for (const value of Object.values(block as Record<string, unknown>)) {
          if (!(Array.isArray(value) ? value : [value]).every(isConditionScalar))
            return `${where}: a Condition value must be a string, number or boolean, or a list of them`;
        }
      }
    }
  }
  return undefined;
}

/** The document as STS counts it: compact JSON. */
export function compactPolicy(doc: unknown): string {
  return JSON.stringify(doc);
}
