/*
 * Keeps a click working through an outage (ADR 024). Remix's single fetch loads a navigation's
 * data with `fetch("/path.data")` and undiscovered routes with `fetch("/__manifest?…")`, looking up
 * the global `fetch` at call time. When the server cannot be reached that fetch rejects with a
 * TypeError and the page is replaced by an error boundary. Wrapped, such a request instead waits:
 * the navigation stays pending on the current page, `reconnecting` tells the shell to say so, and
 * the request is sent again once GET /health answers (backing off up to a few seconds). A newer
 * click aborts the waiting one through its signal, as it would abort any navigation.
 *
 * Only GET requests for the app's own data that a navigation or fetcher sent (they carry its abort
 * signal) are retried: a form post is not sent twice, and the background route discovery Remix
 * runs for the links on a page (no signal) fails as before instead of showing "Reconnecting…".
 *
 * Remix also reloads the whole document when a route's JavaScript module fails to import
 * (`loadRouteModule`) — during an outage, the browser's error page. So every route the client
 * learns of (the page's manifest, each `/__manifest` answer) has its module imported at once, while
 * the server is still there; the module cache then serves Remix's own import later.
 *
 * Client-safe; no React.
 */

export const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 3000] as const;

type Listener = () => void;
const listeners = new Set<Listener>();
let waiting = 0;

/** How many navigation requests are waiting for the server right now. */
export function reconnectingCount(): number {
  return waiting;
}

export function subscribeReconnecting(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setWaiting(delta: number) {
  waiting += delta;
  for (const listener of listeners) listener();
}

function requestUrl(input: RequestInfo | URL, origin: string): URL | null {
  try {
    return new URL(input instanceof Request ? input.url : String(input), origin);
  } catch {
    return null;
  }
}

/** A navigation's (or fetcher's) data or route manifest on this origin: GET, with an abort signal. */
export function isRetriableNavigationRequest(input: RequestInfo | URL, init: RequestInit | undefined, origin: string): boolean {
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  if (method !== "GET" || !signal) return false;
  const url = requestUrl(input, origin);
  return url !== null && url.origin === origin && (url.pathname.endsWith(".data") || url.pathname === "/__manifest");
}

interface ManifestRoute {
  module?: unknown;
}

const imported = new Set<string>();

/** Imports the modules of these routes (once each); a failed import is tried again next time. */
export function preloadRouteModules(routes: Record<string, ManifestRoute> | undefined, load: (url: string) => Promise<unknown>) {
  for (const route of Object.values(routes ?? {})) {
    if (typeof route?.module !== "string" || imported.has(route.module)) continue;
    const url = route.module;
    imported.add(url);
    load(url).catch(() => imported.delete(url));
  }
}

/** fetch rejects with a TypeError when no answer came at all (refused, reset, offline). */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The navigation was cancelled.", "AbortError");
}

function pause(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** the fetch to wrap (window.fetch) */
  fetch: typeof fetch;
  origin: string;
  healthUrl?: string;
  delays?: readonly number[];
  /** given each route manifest answer's routes (to import their modules) */
  onManifest?: (routes: Record<string, ManifestRoute>) => void;
}

/** `fetch`, except that the app's own GET data requests wait out an outage instead of failing. */
export function retryingFetch({ fetch: inner, origin, healthUrl = "/health", delays = RETRY_DELAYS_MS, onManifest }: RetryOptions): typeof fetch {
  const sawManifest = (input: RequestInfo | URL, response: Response) => {
    if (onManifest && response.ok && requestUrl(input, origin)?.pathname === "/__manifest") {
      response
        .clone()
        .json()
        .then((routes: Record<string, ManifestRoute>) => onManifest(routes))
        .catch(() => {});
    }
    return response;
  };
  return async function fetchWithRetry(input: RequestInfo | URL, init?: RequestInit) {
    if (!isRetriableNavigationRequest(input, init, origin)) return sawManifest(input, await inner(input, init));
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    try {
      return sawManifest(input, await inner(input, init));
    } catch (error) {
      if (!isNetworkFailure(error) || signal?.aborted) throw error;
    }
    setWaiting(1);
    try {
      for (let attempt = 0; ; attempt++) {
        await pause(delays[Math.min(attempt, delays.length - 1)]!, signal);
        try {
          const health = await inner(new URL(healthUrl, origin), { cache: "no-store", signal });
          if (!health.ok) continue;
        } catch (error) {
          if (signal?.aborted) throw abortReason(signal);
          if (isNetworkFailure(error)) continue;
          throw error;
        }
        try {
          return sawManifest(input, await inner(input, init));
        } catch (error) {
          if (signal?.aborted || !isNetworkFailure(error)) throw error;
        }
      }
    } finally {
      setWaiting(-1);
    }
  };
}

let installed = false;

/** Once per page, before Remix hydrates (entry.client). */
export function installNavigationRetry() {
  if (installed || typeof window === "undefined") return;
  installed = true;
  const load = (url: string) => import(/* @vite-ignore */ url);
  const manifest = (window as unknown as { __remixManifest?: { routes?: Record<string, ManifestRoute> } }).__remixManifest;
  preloadRouteModules(manifest?.routes, load);
  window.fetch = retryingFetch({
    fetch: window.fetch.bind(window),
    origin: window.location.origin,
    onManifest: (routes) => preloadRouteModules(routes, load),
  });
}
