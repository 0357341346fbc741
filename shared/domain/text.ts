/**
 * An unpaired UTF-16 surrogate (with the u flag a surrogate pair is one code point, so only a lone
 * half matches). Such a string has no UTF-8 form: DynamoDB stores UTF-8 only, and IAM and STS take
 * UTF-8 too. JSON can carry one (`"\ud800"`), so a request body can.
 */
export const LONE_SURROGATE = /\p{Cs}/u;
export const LONE_SURROGATE_ALL = /\p{Cs}/gu;

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
 * The first string of a value (object keys included, at any depth, in document order) that `bad`
 * says is bad: its path, and whether it is a key (then the last step of the path is that key).
 * Iterative and linear in the size of the value, so a deeply nested body costs no more than a flat
 * one.
 */
export function firstTextWhere(
  value: unknown,
  bad: (text: string) => boolean,
): { path: PropertyKey[]; isKey: boolean } | undefined {
  const stack: [unknown, Place | undefined][] = [[value, undefined]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, place] = next;
    if (typeof v === "string") {
      if (bad(v)) return { path: pathOf(place), isKey: false };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { key: i, parent: place }]);
    } else if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v);
      for (const [key] of entries)
        if (bad(key)) return { path: pathOf({ key, parent: place }), isKey: true };
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        stack.push([child, { key, parent: place }]);
      }
    }
  }
  return undefined;
}

/**
 * Where in a parsed request part (a JSON body, path or query parameters) the first string that is
 * not well-formed Unicode is, object keys included, at any depth; undefined when there is none.
 */
export function illFormedTextAt(value: unknown): PropertyKey[] | undefined {
  return firstTextWhere(value, (text) => LONE_SURROGATE.test(text))?.path;
}
