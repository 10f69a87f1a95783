/*
 * Where a redirect taken from input (`redirectTo`) may go: a path on this origin, checked the way a
 * browser reads it. Browsers drop tabs and newlines inside URLs, read `\` as `/` and follow
 * `//host` and `/\host` to another host, so a string test on the raw value is not enough: the
 * target is resolved with WHATWG URL against a placeholder origin and must stay on it. What comes
 * back is URL's own serialisation (path, query, hash), so a CR, LF or NUL never reaches a
 * `Location` header or a log line raw.
 */
const BASE = "http://mission-control.invalid";
const MAX_LENGTH = 2000;

export function safeRedirectTarget(target: unknown, fallback = "/"): string {
  if (typeof target !== "string" || target.length === 0 || target.length > MAX_LENGTH) return fallback;
  // control characters, whitespace and backslashes have no business in a path we generate
  if (/[\u0000-\u0020\u007f\\]/.test(target)) return fallback;
  if (!target.startsWith("/") || target.startsWith("//")) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  // "/%2F%2Fevil" is a same-origin path, but a hop that decodes it (a proxy, a later redirect) would
  // see "//evil": refuse encoded slashes and backslashes at the start of the path too.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  if (decoded.startsWith("//") || decoded.includes("\\") || /[\u0000-\u001f\u007f]/.test(decoded)) return fallback;
  return url.pathname + url.search + url.hash;
}
