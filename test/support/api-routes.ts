import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The app's REST routes as files and as OpenAPI paths, and a way to call one in process as Remix
 * would (loader for GET/HEAD, action otherwise, a thrown Response sent as it is). For tests that
 * must cover every route (the OpenAPI contract test, input sweeps) rather than a hand-picked few.
 */

const ROUTES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app/routes");

export type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;
export interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

/** Every route module, by file name (api.tasks.$id.ts …), loaded the way vitest loads app code. */
const modules = import.meta.glob<RouteModule>("../../app/routes/*.{ts,tsx}", { eager: true });

export function routeModule(file: string): RouteModule {
  const module = modules[`../../app/routes/${file}`];
  if (!module) throw new Error(`No route module ${file}`);
  return module;
}

/** `api.tasks.$id.ts` → `/api/tasks/{id}`, `api.openapi[.]json.ts` → `/api/openapi.json` (Remix's flat-routes naming). */
export function openApiPathOf(file: string): string {
  return (
    "/" +
    file
      .replace(/\.tsx?$/, "")
      .replace(/\[\.\]/g, "\u0000")
      .split(".")
      .map((segment) => (segment.startsWith("$") ? `{${segment.slice(1)}}` : segment))
      .join("/")
      .replace(/\u0000/g, ".")
  );
}

/** The REST route files (api.*), without the catch-all that answers 404 for unknown /api paths. */
export function apiRouteFiles(): string[] {
  return readdirSync(ROUTES_DIR).filter((file) => file.startsWith("api.") && file !== "api.$.ts" && /\.tsx?$/.test(file));
}

export interface ApiCall {
  method?: string;
  token?: string;
  body?: unknown;
  params?: Record<string, string>;
  clientIp?: string;
  /** extra request headers (If-Match) */
  headers?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed body, or undefined when it is not JSON */
  json: unknown;
}

export async function callRoute(module: RouteModule, url: string, { method = "GET", token, body, params = {}, clientIp = "127.0.0.1", headers: extra = {} }: ApiCall = {}): Promise<ApiAnswer> {
  const headers = new Headers(extra);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) headers.set("Content-Type", "application/json");
  const request = new Request(new URL(url, "http://localhost"), { method, headers, body: payload });
  const handler = method === "GET" || method === "HEAD" ? module.loader : module.action;
  if (!handler) throw new Error(`The route has no ${method === "GET" || method === "HEAD" ? "loader" : "action"} for ${method} ${url}`);
  let response: unknown;
  try {
    response = await handler({ request, params, context: { clientIp } });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  if (!(response instanceof Response)) throw new Error(`${method} ${url} answered a ${typeof response}, not a Response`);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
