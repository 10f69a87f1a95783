import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Browser } from "playwright-core";
import { REPO_ROOT } from "./server";

/*
 * What the input sweep discovers and watches: the built route manifest (which routes take an
 * action), the forms a page renders (read by Chromium's own HTML parser, scripts off), the
 * operations of the served OpenAPI document, and the database (did a refused request write?).
 */

/* ---------- the database as a witness ---------- */

/**
 * `rate_limits` is not watched: a refused sign-in is counted there on purpose (that is the
 * limiter). `sessions` is watched for inserts and deletes only (a signed-in request may slide its
 * expiry). Every other table counts every row it inserts, updates or deletes.
 */
const NOT_WATCHED = new Set(["rate_limits", "migrations", "sweep_writes"]);
const INSERT_DELETE_ONLY = new Set(["sessions"]);

/**
 * Counts committed row writes per table with row-level triggers installed into the test database
 * (a rolled-back write rolls its count back too), so "did this request write?" is one tiny query
 * rather than a scan of every table.
 */
export class DatabaseWitness {
  private client: pg.Client;
  constructor(databaseUrl: string) {
    this.client = new pg.Client({ connectionString: databaseUrl });
  }
  async open() {
    await this.client.connect();
    const { rows } = await this.client.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    );
    const statements = [
      "create table sweep_writes (table_name text primary key, writes bigint not null default 0)",
      `create function sweep_count_write() returns trigger language plpgsql as $$
       begin
         insert into sweep_writes (table_name, writes) values (TG_TABLE_NAME, 1)
           on conflict (table_name) do update set writes = sweep_writes.writes + 1;
         return null;
       end $$`,
    ];
    for (const { name } of rows.filter((row) => !NOT_WATCHED.has(row.name))) {
      const events = INSERT_DELETE_ONLY.has(name) ? "insert or delete" : "insert or update or delete";
      statements.push(`create trigger sweep_count_write after ${events} on "${name}" for each row execute function sweep_count_write()`);
    }
    for (const statement of statements) await this.client.query(statement);
  }
  async snapshot(): Promise<Map<string, string>> {
    const { rows } = await this.client.query<{ table_name: string; writes: string }>("select table_name, writes::text from sweep_writes");
    return new Map(rows.map((row) => [row.table_name, row.writes]));
  }
  /** the tables written to between two snapshots */
  static changed(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after.keys()].filter((table) => before.get(table) !== after.get(table));
  }
  close() {
    return this.client.end();
  }
}

/* ---------- the built route manifest ---------- */

export interface ManifestRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  hasAction: boolean;
}

export function readRouteManifest(): Record<string, ManifestRoute> {
  const dir = path.join(REPO_ROOT, "build", "client", "assets");
  const file = readdirSync(dir).find((name) => /^manifest-.*\.js$/.test(name));
  if (!file) throw new Error("build/client/assets has no manifest-*.js: run `npm run build` first.");
  const text = readFileSync(path.join(dir, file), "utf8");
  const json = text.slice(text.indexOf("=") + 1).trim().replace(/;$/, "");
  return (JSON.parse(json) as { routes: Record<string, ManifestRoute> }).routes;
}

/** The full URL pattern of a route: its path joined to its parents'. */
export function routePattern(routes: Record<string, ManifestRoute>, id: string): string {
  const parts: string[] = [];
  for (let route: ManifestRoute | undefined = routes[id]; route; route = route.parentId ? routes[route.parentId] : undefined) {
    if (route.path) parts.unshift(route.path);
  }
  return "/" + parts.join("/");
}

/** The route that answers a POST to this URL (Remix's `?index` picks the index route). */
export function matchActionRoute(routes: Record<string, ManifestRoute>, url: URL): ManifestRoute | undefined {
  const wantsIndex = url.searchParams.has("index");
  const candidates = Object.values(routes).filter((route) => {
    if (Boolean(route.index) !== wantsIndex) return false;
    const pattern = routePattern(routes, route.id).replace(/\/+$/, "") || "/";
    const regex = new RegExp("^" + pattern.replace(/:[^/]+/g, "[^/]+").replace(/\*$/, ".*") + "/?$");
    return regex.test(url.pathname);
  });
  // static segments beat params, params beat splats
  const score = (route: ManifestRoute) => {
    const pattern = routePattern(routes, route.id);
    return (pattern.includes("*") ? 1000 : 0) + (pattern.match(/:/g)?.length ?? 0);
  };
  return candidates.sort((a, b) => score(a) - score(b))[0];
}

/* ---------- forms as a page renders them ---------- */

export interface RenderedForm {
  page: string;
  method: "get" | "post";
  action: string;
  enctype: string;
  /** the entries a browser would submit, with the submitter's name/value when it has one */
  entries: Array<[string, string]>;
  /** every field name the form has, to put hostile values into */
  fields: string[];
  label: string;
}

/** Reads a page's forms with Chromium's HTML parser (scripts off: the server-rendered markup). */
export async function renderedForms(browser: Browser, url: string, cookie?: string): Promise<{ status: number; forms: RenderedForm[]; links: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    // a real cookie, not an extra header: Chromium drops a hand-set Cookie header on redirects
    if (cookie) {
      const [name, ...value] = cookie.split("=");
      await context.addCookies([{ name: name!, value: value.join("="), url }]);
    }
    const page = await context.newPage();
    const response = await page.goto(url);
    const found = await page.evaluate(() => {
      const filler = (input: HTMLInputElement) => {
        if (input.value) return input.value;
        if (input.placeholder) return input.placeholder;
        switch (input.type) {
          case "email": return "sweep@example.com";
          case "password": return "sweep-password-1";
          case "number": return input.min || "30";
          case "color": return "#336699";
          case "date": return "2026-12-31";
          default: return "Sweep value";
        }
      };
      const forms = [...document.querySelectorAll("form")].map((form) => {
        const base: Array<[string, string]> = [];
        const fields = new Set<string>();
        for (const element of [...form.elements] as Array<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>) {
          if (!element.name || element.disabled) continue;
          const tag = element.tagName.toLowerCase();
          const type = (element.getAttribute("type") ?? "").toLowerCase();
          if (tag === "button" || type === "submit" || type === "image") continue;
          fields.add(element.name);
          if (tag === "select") base.push([element.name, element.value || element.options[0]?.value || ""]);
          else if (tag === "textarea") base.push([element.name, element.value || "Sweep text"]);
          else if (type === "checkbox" || type === "radio") {
            if (element.checked) base.push([element.name, element.value || "on"]);
          } else if (type === "hidden") base.push([element.name, element.value]);
          else base.push([element.name, filler(element)]);
        }
        const submitters = ([...form.querySelectorAll("button, input[type=submit]")] as HTMLButtonElement[]).filter(
          (button) => (button.type || "submit") === "submit" && button.name,
        );
        const variants = submitters.length > 0 ? submitters.map((button) => [button.name, button.value] as [string, string]) : [null];
        return variants.map((submitter) => ({
          method: (form.getAttribute("method") ?? "get").toLowerCase(),
          action: form.getAttribute("action") ?? location.pathname + location.search,
          enctype: form.getAttribute("enctype") ?? "application/x-www-form-urlencoded",
          entries: submitter ? [...base, submitter] : base,
          fields: [...fields, ...(submitter ? [submitter[0]] : [])],
          label: submitter ? `${submitter[0]}=${submitter[1]}` : form.id || form.getAttribute("aria-label") || "",
        }));
      });
      const links = [...document.querySelectorAll("a[href]")].map((a) => (a as HTMLAnchorElement).href);
      return { forms: forms.flat(), links };
    });
    return {
      status: response?.status() ?? 0,
      links: found.links,
      // after redirects (e.g. /settings → /settings/profile) the forms belong to where we landed
      forms: found.forms.map((form) => ({
        ...form,
        method: form.method === "post" ? "post" : "get",
        action: new URL(form.action, page.url()).toString(),
        fields: [...new Set(form.fields)],
        page: url,
      })),
    };
  } finally {
    await context.close();
  }
}

/* ---------- the served OpenAPI document ---------- */

type Schema = Record<string, unknown>;
export interface ApiOperation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** body properties with the schema of each, or null when the operation takes no JSON body */
  body: Record<string, Schema> | null;
  required: string[];
}

function resolve(doc: Schema, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let hops = 0; typeof current.$ref === "string" && hops < 20; hops++) {
    const pointer = (current.$ref as string).replace(/^#\//, "").split("/");
    current = pointer.reduce<Schema>((node, key) => (node[key] ?? {}) as Schema, doc);
  }
  return current;
}

/** Properties of an object schema, through $ref and allOf/anyOf/oneOf (as zod-to-openapi writes them). */
function objectShape(doc: Schema, schema: Schema | undefined): { properties: Record<string, Schema>; required: string[] } {
  const resolved = resolve(doc, schema);
  const properties: Record<string, Schema> = {};
  const required: string[] = [...((resolved.required as string[] | undefined) ?? [])];
  for (const [name, property] of Object.entries((resolved.properties as Record<string, Schema> | undefined) ?? {})) properties[name] = resolve(doc, property);
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    for (const part of (resolved[key] as Schema[] | undefined) ?? []) {
      const shape = objectShape(doc, part);
      Object.assign(properties, shape.properties);
      if (key === "allOf") required.push(...shape.required);
    }
  }
  return { properties, required };
}

export function apiOperations(doc: Schema): ApiOperation[] {
  const operations: ApiOperation[] = [];
  for (const [route, item] of Object.entries((doc.paths as Record<string, Schema>) ?? {})) {
    const shared = ((item.parameters as Schema[] | undefined) ?? []).map((p) => resolve(doc, p));
    for (const [method, raw] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const operation = raw as Schema;
      const parameters = [...shared, ...((operation.parameters as Schema[] | undefined) ?? []).map((p) => resolve(doc, p))];
      const bodySchema = ((resolve(doc, operation.requestBody as Schema).content as Record<string, Schema> | undefined) ?? {})["application/json"]?.schema as Schema | undefined;
      const shape = bodySchema ? objectShape(doc, bodySchema) : null;
      operations.push({
        method: method.toUpperCase(),
        path: route,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => String(p.name)),
        queryParams: parameters.filter((p) => p.in === "query").map((p) => String(p.name)),
        body: shape ? shape.properties : null,
        required: shape ? shape.required : [],
      });
    }
  }
  return operations;
}

/** A plausible valid value for a property, from what the document says about it. */
export function exampleFor(schema: Schema, ids: Record<string, string>): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "integer" || type === "number") return typeof schema.minimum === "number" ? schema.minimum : 30;
  if (type === "boolean") return false;
  if (type === "array") return [];
  if (type === "object") return {};
  if (schema.format === "uuid") return ids.any ?? "00000000-0000-0000-0000-000000000000";
  if (schema.format === "date") return "2026-12-31";
  if (typeof schema.pattern === "string" && schema.pattern.includes("[0-9a-fA-F]{6}")) return "#336699";
  if (typeof schema.description === "string" && /ws:\/\//.test(schema.description)) return "ws://127.0.0.1:9";
  return "Sweep value";
}
