/*
 * Hostile values for the input sweep (test/e2e/hostile-input.test.ts). Each has a label so a
 * failure names what was sent. JSON values go into API bodies; strings into form fields, query
 * parameters and path segments.
 */

export interface Hostile<T> {
  label: string;
  value: T;
}

const LONG = "x".repeat(100_000);

/** Strings a person or a script could put into any text field. */
export const HOSTILE_STRINGS: Array<Hostile<string>> = [
  { label: "NUL", value: "before\u0000after" },
  { label: "only NUL", value: "\u0000" },
  { label: "100 kB", value: LONG },
  { label: "path traversal", value: "../../../etc/passwd" },
  { label: "HTML/script", value: `<script>alert(1)</script><img src=x onerror=alert(1)>` },
  { label: "RTL and zero-width", value: "\u202Eevil\u200B\u200D\uFEFF" },
  { label: "empty", value: "" },
  { label: "whitespace", value: " \t\n " },
  { label: "CRLF header injection", value: "/x\r\nSet-Cookie: a=b" },
  { label: "negative number", value: "-1" },
  { label: "huge number", value: "1e308" },
  { label: "beyond int64", value: "99999999999999999999999" },
  { label: "SQL", value: "' OR 1=1 --" },
  { label: "percent NUL", value: "%00" },
  { label: "replacement and astral", value: "\uFFFD😀\u{10FFFF}" },
  { label: "prototype name", value: "__proto__" },
];

function nested(depth: number) {
  let value: unknown = "deep";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** JSON values for API body fields: the strings above plus wrong types, arrays and nesting. */
export const HOSTILE_JSON: Array<Hostile<unknown>> = [
  ...HOSTILE_STRINGS,
  { label: "lone surrogate", value: "a\ud800b" },
  { label: "number", value: 12345 },
  { label: "negative", value: -1 },
  { label: "huge", value: 1e308 },
  { label: "unsafe integer", value: 9007199254740993 },
  { label: "boolean", value: true },
  { label: "null", value: null },
  { label: "object", value: { $gt: "" } },
  { label: "array of strings", value: ["a", "b"] },
  { label: "array with NUL", value: ["ok", "bad\u0000"] },
  { label: "huge array", value: Array.from({ length: 50_000 }, () => "t") },
  { label: "nested 200", value: nested(200) },
];

/** Names that collide with Object.prototype, or that conform's path syntax cannot read. */
export const HOSTILE_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype", "a\u0000b"];
export const HOSTILE_FORM_KEYS = [...HOSTILE_KEYS, "title[99999999]", "x[", "__state__", "__intent__", ""];

/** Path segments in place of an id. */
export const HOSTILE_IDS: Array<Hostile<string>> = [
  { label: "not an id", value: "not-an-id" },
  { label: "percent NUL", value: "%00" },
  { label: "zero uuid", value: "00000000-0000-0000-0000-000000000000" },
  { label: "max uuid", value: "ffffffff-ffff-ffff-ffff-ffffffffffff" },
  { label: "traversal", value: "..%2F..%2Fapi" },
  { label: "10 kB", value: "a".repeat(10_000) },
  { label: "bad percent", value: "%E0%A4%A" },
  { label: "invalid UTF-8", value: "%FF%FE" },
  { label: "emoji", value: "%F0%9F%98%80" },
  { label: "SQL", value: "1%20OR%201%3D1" },
  { label: "number", value: "-1" },
];
