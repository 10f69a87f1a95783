/*
 * The organization's time zone (issue 13): an IANA name such as "Europe/Berlin", or "UTC".
 * Client-safe: the settings select, the set-up form's browser default and the server's validation
 * all use these.
 */

export const DEFAULT_TIME_ZONE = "UTC";

// "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"; never an offset such as "+05:00"
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,3}$/;

let cached: string[] | null = null;

/** Every zone the runtime knows (Intl.supportedValuesOf("timeZone")) plus "UTC", sorted. */
export function timeZoneNames(): string[] {
  if (cached) return cached;
  const supported = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  cached = Array.from(new Set([DEFAULT_TIME_ZONE, ...supported])).sort((a, b) => (a === DEFAULT_TIME_ZONE ? -1 : b === DEFAULT_TIME_ZONE ? 1 : a.localeCompare(b)));
  return cached;
}

/**
 * True for an IANA zone name the runtime can compute with: one of `timeZoneNames()`, or an alias
 * it accepts (a browser may report "Asia/Calcutta" where the list says "Asia/Kolkata").
 */
export function isTimeZone(value: string): boolean {
  if (value.length > 64 || !IANA_SHAPE.test(value)) return false;
  if (timeZoneNames().includes(value)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The browser's own zone when it is one we accept, else UTC (what set-up proposes). */
export function browserTimeZone(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}
