/*
 * One spelling per gateway address, so "ws://Gateway.local:80/" and "ws://gateway.local" are the
 * same gateway to the registry (a unique index on (org, normalized URL) is the race-free guard).
 * The WHATWG parser already lower-cases the scheme and host, drops ws's 80 and wss's 443 and
 * turns decimal, octal and hex IPv4 spellings into dotted quads; this adds what it leaves:
 * http(s) as ws(s), a trailing dot on the host, a trailing slash, the fragment.
 */
export function normalizeGatewayUrl(raw: string): string {
  const url = new URL(raw.trim());
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  // setting protocol keeps an explicit port: drop the new scheme's default again
  if ((url.protocol === "ws:" && url.port === "80") || (url.protocol === "wss:" && url.port === "443")) url.port = "";
  if (url.hostname.endsWith(".")) url.hostname = url.hostname.replace(/\.+$/, "");
  url.hash = "";
  url.username = "";
  url.password = "";
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

/** normalizeGatewayUrl, or null for text that is not a URL (old rows typed before the schema checked). */
export function gatewayUrlKey(raw: string): string | null {
  try {
    return normalizeGatewayUrl(raw);
  } catch {
    return null;
  }
}
