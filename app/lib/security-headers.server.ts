import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/*
 * Headers every answer carries, set before anything else runs (server.ts), so static files, the
 * event stream, `.data` requests, the API and every refusal get them too:
 * - a Content-Security-Policy whose scripts are this origin's files and the inline scripts Remix
 *   renders with this request's nonce (no 'unsafe-inline' for scripts). Styles keep
 *   'unsafe-inline': React renders `style=` attributes (progress bars, chart sizes), which a nonce
 *   cannot cover. `frame-ancestors 'none'` (with X-Frame-Options for old browsers) refuses framing.
 * - nosniff, a same-origin Referrer-Policy (invite links are credentials) and a Permissions-Policy
 *   that turns off what the app never uses;
 * - `Cache-Control: no-store` as the default (`noStoreByDefault`, mounted after the static files,
 *   which keep their own caching): signed-in pages and API answers must not sit in a shared or
 *   back-button cache. The event stream sends its own `no-cache`.
 * Development skips the CSP: Vite's client injects inline scripts without a nonce.
 */

export function cspNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

type Res = ServerResponse & { locals?: Record<string, unknown> };

export function securityHeaders({ csp = true }: { csp?: boolean } = {}) {
  return (_req: IncomingMessage, res: Res, next: () => void) => {
    const nonce = cspNonce();
    res.locals ??= {};
    res.locals.cspNonce = nonce;
    if (csp) res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
    next();
  };
}

/** After the static files (which set their own caching): everything else is not to be stored. */
export function noStoreByDefault() {
  return (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!res.getHeader("Cache-Control")) res.setHeader("Cache-Control", "no-store");
    next();
  };
}
