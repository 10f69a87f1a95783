import type { IncomingMessage, ServerResponse } from "node:http";
import { refuse, routePathname } from "./request-guards.server";

/*
 * Cross-origin writes to pages are refused here, before Remix, with a 403 and a sentence. Remix
 * has its own guard (it compares the Origin's host with Host / X-Forwarded-Host on document
 * POSTs) but it throws a plain Error: the answer was an empty 500 and a stack trace in the log.
 * The rule is the one `assertSameOrigin` applies in every action (ADR 003): the Origin (or, when a
 * browser sends `Origin: null` or none, the Referer) must be this server's origin or
 * MC_PUBLIC_URL's. A request that passes has its Origin set to the origin Remix's guard expects,
 * so a request we accept (say through a proxy named by MC_PUBLIC_URL) is never a 500 there either.
 * The API is left to its own checks: Bearer requests carry no ambient credentials.
 */

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type Req = IncomingMessage & { protocol?: string; originalUrl?: string };

function originOf(value: string | undefined): string | null {
  if (!value || value === "null") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The host Remix's own guard compares with: X-Forwarded-Host's first value, else Host. */
function remixHost(req: IncomingMessage): string | undefined {
  const forwarded = first(req.headers["x-forwarded-host"])?.split(",")[0]?.trim();
  return forwarded || first(req.headers.host);
}

export function isPageWrite(req: Req): boolean {
  if (!UNSAFE_METHODS.has((req.method ?? "GET").toUpperCase())) return false;
  const pathname = routePathname(req.originalUrl ?? req.url ?? "/").toLowerCase();
  return !(pathname === "/api" || pathname.startsWith("/api/"));
}

export function refuseCrossOriginWrites(publicUrl: () => string | undefined) {
  return (req: Req, res: ServerResponse, next: (error?: unknown) => void) => {
    if (!isPageWrite(req)) return next();
    const host = first(req.headers.host);
    const allowed = new Set<string>();
    if (host) allowed.add(`${req.protocol ?? "http"}://${host}`.toLowerCase());
    const configured = originOf(publicUrl());
    if (configured) allowed.add(configured);
    const origin = originOf(first(req.headers.origin)) ?? originOf(first(req.headers.referer));
    if (!origin || !allowed.has(origin)) {
      return refuse(
        req,
        res,
        403,
        "cross_origin",
        "This request did not come from a Mission Control page (Origin check failed). Reload the page and try again.",
      );
    }
    const expected = remixHost(req);
    if (expected) req.headers.origin = `${new URL(origin).protocol}//${expected}`;
    next();
  };
}
