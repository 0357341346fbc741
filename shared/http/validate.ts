import type * as z from "zod/mini";
import { BadRequestError } from "../errors";

type Part = "body" | "path" | "query";

function describePath(path: readonly PropertyKey[]): string {
  // A key may itself be the bad text: the message shows U+FFFD in its place.
  return path.length === 0
    ? "(root)"
    : path.map((p) => String(p).replace(LONE_SURROGATE_ALL, "\ufffd")).join(".");
}

/**
 * An unpaired UTF-16 surrogate (with the u flag a surrogate pair is one code point, so only a lone
 * half matches). Such a string has no UTF-8 form: DynamoDB stores UTF-8 only, and IAM and STS take
 * UTF-8 too. JSON can carry one (`"\ud800"`), so a request body can.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

/** A place in a value: its key and the place of its parent (the path is built only when needed). */
interface Place {
  key: PropertyKey;
  parent: Place | undefined;
}

function pathOf(place: Place | undefined): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let p = place; p !== undefined; p = p.parent) path.push(p.key);
  return path.reverse();
}

/**
 * Where in a parsed request part (a JSON body, path or query parameters) the first string that is
 * not well-formed Unicode is, object keys included, at any depth; undefined when there is none.
 * Iterative and linear in the size of the value, so a deeply nested body costs no more than a flat one.
 */
export function illFormedTextAt(value: unknown): PropertyKey[] | undefined {
  const stack: [unknown, Place | undefined][] = [[value, undefined]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, place] = next;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return pathOf(place);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { key: i, parent: place }]);
    } else if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v);
      for (const [key] of entries)
        if (LONE_SURROGATE.test(key)) return pathOf({ key, parent: place });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        stack.push([child, { key, parent: place }]);
      }
    }
  }
  return undefined;
}

const ILL_FORMED = "not well-formed Unicode (an unpaired UTF-16 surrogate)";

function illFormedText(part: Part, path: PropertyKey[]): BadRequestError {
  const where = describePath(path);
  if (part === "path")
    return new BadRequestError(
      "INVALID_PATH_PARAMETER",
      `Invalid path parameter ${where}: ${ILL_FORMED}`,
    );
  if (part === "query")
    return new BadRequestError(
      "INVALID_QUERY_PARAMETER",
      `Invalid query parameter ${where}: ${ILL_FORMED}`,
    );
  return new BadRequestError("INVALID_UNICODE", `Invalid field ${where}: ${ILL_FORMED}`);
}

/**
 * Validates one part of a request against its schema. Error codes by class of mistake:
 * path and query problems are INVALID_PATH_PARAMETER / INVALID_QUERY_PARAMETER; in a body an
 * unexpected field is UNKNOWN_FIELD, an absent required one MISSING_FIELD, a string (or a key)
 * that is not well-formed Unicode INVALID_UNICODE, anything else INVALID_FIELD.
 *
 * Every string of every part is checked here, whatever its schema says (a free-form object such
 * as a policy document included), so a new field cannot forget it. The check runs once the
 * schema has accepted the part: a part the schema refuses keeps its usual code, and a route
 * whose body must be empty never answers INVALID_UNICODE.
 */
export function validatePart<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  part: Part,
  fieldCodes: Record<string, string> = {},
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) {
    const illFormed = illFormedTextAt(value);
    if (illFormed !== undefined) throw illFormedText(part, illFormed);
    return result.data;
  }
  const issue = result.error.issues[0];
  if (issue === undefined) throw new BadRequestError("INVALID_FIELD", "Invalid request");

  if (part === "path") {
    throw new BadRequestError(
      "INVALID_PATH_PARAMETER",
      `Invalid path parameter ${describePath(issue.path)}`,
    );
  }
  if (part === "query") {
    const name =
      issue.code === "unrecognized_keys" ? issue.keys.join(", ") : describePath(issue.path);
    throw new BadRequestError(
      "INVALID_QUERY_PARAMETER",
      `Invalid query parameter ${name}: ${issue.message}`,
    );
  }
  if (issue.code === "unrecognized_keys") {
    throw new BadRequestError("UNKNOWN_FIELD", `Unknown field(s): ${issue.keys.join(", ")}`);
  }
  if (issue.code === "invalid_type" && issue.input === undefined && issue.path.length > 0) {
    throw new BadRequestError(
      "MISSING_FIELD",
      `Missing required field ${describePath(issue.path)}`,
    );
  }
  const fieldCode = fieldCodes[String(issue.path[0])];
  throw new BadRequestError(
    fieldCode ?? "INVALID_FIELD",
    `Invalid field ${describePath(issue.path)}: ${issue.message}`,
  );
}

/** Rejects fields that must never come from a client (an external ID, above all) with their own code. */
export function rejectForbiddenFields(
  body: unknown,
  forbidden: Record<string, string> | undefined,
): void {
  if (forbidden === undefined || typeof body !== "object" || body === null || Array.isArray(body))
    return;
  for (const [field, code] of Object.entries(forbidden)) {
    if (Object.hasOwn(body, field)) {
      throw new BadRequestError(
        code,
        `${field} is generated by the control plane and cannot be supplied`,
      );
    }
  }
}
