import { BadRequestError } from "../errors";

/**
 * Pagination cursors are DynamoDB LastEvaluatedKeys, base64url-encoded JSON. A cursor that a client
 * altered must give a 400, never reach DynamoDB as a malformed ExclusiveStartKey (that is a 500),
 * and never step outside the list it belongs to: it must carry exactly the expected attributes,
 * all strings, with the list's fixed partition value.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  if (lastKey === undefined) return undefined;
  return Buffer.from(JSON.stringify(lastKey), "utf8").toString("base64url");
}

const invalid = () =>
  new BadRequestError("INVALID_NEXT_TOKEN", "nextToken is not a token this list issued");

/** A cursor's JSON object, or 400 INVALID_NEXT_TOKEN. */
function parseCursor(cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid();
  return parsed as Record<string, unknown>;
}

export function decodeCursor(
  cursor: string | undefined,
  expected: {
    attributes: readonly string[];
    fixed: Record<string, string>;
    prefixes?: Record<string, string>;
  },
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const parsed = parseCursor(cursor);
  const entries = Object.entries(parsed);
  if (entries.length !== expected.attributes.length) throw invalid();
  for (const [name, value] of entries) {
    if (
      !expected.attributes.includes(name) ||
      typeof value !== "string" ||
      value.length === 0 ||
      value.length > 1024
    ) {
      throw invalid();
    }
  }
  for (const [name, value] of Object.entries(expected.fixed)) {
    if ((parsed as Record<string, unknown>)[name] !== value) throw invalid();
  }
  for (const [name, prefix] of Object.entries(expected.prefixes ?? {})) {
    if (!String((parsed as Record<string, unknown>)[name]).startsWith(prefix)) throw invalid();
  }
  return parsed as Record<string, string>;
}

/**
 * A cursor that carries only the sort key of the last item listed ({"after": ...}): nothing of the
 * table's own keys, for lists whose keys are derived from secrets (API keys).
 */
export function encodeAfterCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after }), "utf8").toString("base64url");
}

export function decodeAfterCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const parsed = parseCursor(cursor);
  const keys = Object.keys(parsed);
  const after = (parsed as { after?: unknown }).after;
  if (keys.length !== 1 || typeof after !== "string" || after.length === 0 || after.length > 1024)
    throw invalid();
  return after;
}
