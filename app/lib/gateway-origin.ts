/*
 * Where a gateway URL sends its token: scheme, host and port, normalized the way the WebSocket
 * client will resolve them (lower-case host, punycode, IPv6 brackets, default ports dropped). A
 * stored token may follow a change of path, never a change of origin (docs/decisions/019-…).
 */

/** "wss://gateway.example.com" for "WSS://Gateway.Example.com:443/x?y"; null for what is no URL. */
export function gatewayOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  const scheme = parsed.protocol.toLowerCase();
  if (!parsed.hostname) return null;
  const defaultPort = scheme === "wss:" || scheme === "https:" ? "443" : scheme === "ws:" || scheme === "http:" ? "80" : "";
  const port = parsed.port && parsed.port !== defaultPort ? `:${parsed.port}` : "";
  // a trailing dot names the same host in DNS, but the gateway (and TLS) may see it differently: kept
  return `${scheme}//${parsed.hostname.toLowerCase()}${port}`;
}

/** True when both URLs reach the same origin; an unreadable URL is never the same origin. */
export function sameGatewayOrigin(a: string, b: string): boolean {
  const left = gatewayOrigin(a);
  return left !== null && left === gatewayOrigin(b);
}
