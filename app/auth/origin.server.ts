import { getEnv } from "~/env.server";
import { forbidden } from "~/lib/http.server";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated writes must come from our own pages: the browser's Origin header (or, for
 * the rare client that omits it, the Referer) has to match this server or MC_PUBLIC_URL.
 */
export function assertSameOrigin(request: Request) {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const allowed = new Set([new URL(request.url).origin]);
  const publicUrl = getEnv().MC_PUBLIC_URL;
  if (publicUrl) allowed.add(new URL(publicUrl).origin);

  let origin = request.headers.get("Origin");
  if (!origin || origin === "null") {
    const referer = request.headers.get("Referer");
    origin = referer ? safeOrigin(referer) : null;
  }
  if (!origin || !allowed.has(origin)) {
    forbidden("This request did not come from a Mission Control page (Origin check failed). Reload the page and try again.");
  }
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
