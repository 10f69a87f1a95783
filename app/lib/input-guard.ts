/*
 * Text PostgreSQL cannot store, found before it gets there. A `\u0000` in a text or jsonb value is
 * refused by the server (`invalid byte sequence for encoding "UTF8": 0x00`) and a lone UTF-16
 * surrogate (`"\ud800"` in JSON) makes jsonb refuse the event row: both used to come back as 500s.
 * The JSON body, form and query readers call these and answer 400 with a sentence naming the field.
 */

export type TextProblem = "nul" | "surrogate";

/** Deeper than any body this API takes (the deepest is a list of tag names: 2 levels). */
export const MAX_JSON_DEPTH = 32;

const NUL = /\u0000/;
// a high surrogate not followed by a low one, or a low one not preceded by a high one
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(value: string): TextProblem | null {
  if (NUL.test(value)) return "nul";
  if (LONE_SURROGATE.test(value)) return "surrogate";
  return null;
}

/** `title`, `tags[2]`, `a.b`; the whole body is "the request body". */
export function describePath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const segment of path) {
    out += typeof segment === "number" ? `[${segment}]` : out ? `.${segment}` : segment;
  }
  return out || "the request body";
}

/** The sentence for a field (or parameter) whose text cannot be stored. */
export function textProblemMessage(what: string, problem: TextProblem): string {
  return problem === "nul"
    ? `${what} contains a NUL character (\\u0000), which cannot be stored. Remove it and send again.`
    : `${what} contains a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape), which is not valid text. Send well-formed Unicode.`;
}

export type JsonProblem =
  | { kind: "text"; path: Array<string | number>; problem: TextProblem; inKey: boolean }
  | { kind: "depth"; path: Array<string | number> };

/**
 * Walks a parsed JSON value without recursion (JSON.parse accepts 100k levels of `[`; a recursive
 * walk would overflow the stack) and returns the first string or key that cannot be stored, or
 * the first place nested deeper than `maxDepth`.
 */
export function findJsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      const problem = textProblem(current);
      if (problem) return { kind: "text", path, problem, inKey: false };
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (path.length >= maxDepth) return { kind: "depth", path };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index], path: [...path, index] });
      continue;
    }
    const keys = Object.keys(current);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!;
      const problem = textProblem(key);
      if (problem) return { kind: "text", path: [...path, key], problem, inKey: true };
      stack.push({ value: (current as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return null;
}
