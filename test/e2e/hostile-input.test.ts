import net from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { HOSTILE_FORM_KEYS, HOSTILE_IDS, HOSTILE_JSON, HOSTILE_KEYS, HOSTILE_STRINGS } from "../support/hostile-corpus";
import { apiSignIn, startServer, type StartedServer } from "../support/server";
import {
  apiOperations,
  DatabaseWitness,
  exampleFor,
  matchActionRoute,
  readRouteManifest,
  renderedForms,
  routePattern,
  type ApiOperation,
  type RenderedForm,
} from "../support/sweep";

/*
 * Issue 10, point 1: bad input is never a 500 and never a reset. Every API operation of the served
 * OpenAPI document and every form the app renders (found by crawling it as the owner, matched to
 * the built route manifest's action routes) gets hostile values in every field, hostile keys,
 * bodies and ids. Each answer must be < 500 and arrive (no dropped connection); an API error has
 * the `{ error: { code, message } }` shape; a 4xx writes no row (every table is compared before
 * and after each request, and max(event_log.id)). Requests run one at a time so that the database
 * comparison belongs to one request; the server runs only its web role so nothing else writes.
 */

const USER = "sweeper";
const PASSWORD = "sweeper-password-1";
let server: StartedServer;
let browser: Browser;
let witness: DatabaseWitness;
let apiToken = "";
const routes = readRouteManifest();
const swept = new Set<string>();
const stats = { requests: 0, refused: 0, accepted: 0 };

type Failure = string;

interface Probe {
  label: string;
  url: string;
  init: RequestInit;
  api: boolean;
}

let lastSnapshot: Map<string, string> | undefined;

async function probe({ label, url, init, api }: Probe, failures: Failure[]) {
  stats.requests++;
  // requests run one at a time, so the snapshot after one is the snapshot before the next
  const before = lastSnapshot ?? (await witness.snapshot());
  lastSnapshot = undefined;
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, { ...init, redirect: "manual" });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    failures.push(`${label}: no answer (${cause?.code ?? cause?.message ?? String(error)})`);
    return;
  }
  const after = await witness.snapshot();
  lastSnapshot = after;
  if (status >= 500) {
    failures.push(`${label}: ${status} ${text.slice(0, 160)}`);
    return;
  }
  if (status < 400) {
    stats.accepted++;
    return;
  }
  stats.refused++;
  const changed = DatabaseWitness.changed(before, after);
  if (changed.length > 0) failures.push(`${label}: ${status} but wrote to ${changed.join(", ")}`);
  if (api) {
    let body: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (typeof body?.error?.code !== "string" || typeof body.error.message !== "string" || !body.error.message.trim()) {
      failures.push(`${label}: ${status} without the API error shape: ${text.slice(0, 120)}`);
    }
  } else if (!text.trim()) {
    failures.push(`${label}: ${status} with an empty answer`);
  }
}

function report(failures: Failure[]) {
  // one line per distinct failure, so a broken guard reads as a list, not 2,000 lines
  return [...new Set(failures)].slice(0, 60).join("\n");
}

async function freshCookie() {
  return `mc_session=${await apiSignIn(server.url, USER, PASSWORD)}`;
}

/**
 * Sessions signed in before the sweep: swept sign-in forms fail on purpose, and the limiter then
 * refuses this address's sign-ins (correctly), so none can be had afterwards.
 */
async function cookiePool(size: number) {
  const pool: string[] = [];
  for (let i = 0; i < size; i++) pool.push(await freshCookie());
  return () => {
    const cookie = pool.pop();
    if (!cookie) throw new Error("the session pool ran dry");
    return cookie;
  };
}

function postForm(url: string, entries: Array<[string, string]>, cookie: string | undefined) {
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: server.url, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(entries),
  });
}

async function apiJson(method: string, path: string, body?: unknown) {
  const response = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${apiToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

let setupForms: RenderedForm[] = [];
/** signed in before the sweeps (they trip the sign-in limiter for this address) */
let spareCookie = "";
/** one page per route pattern, as the crawl found it */
const crawled: Array<{ url: string; routeId: string }> = [];
let inviteUrl = "";

beforeAll(async () => {
  server = await startServer({ env: { MC_ROLES: "web" } });
  browser = await launchBrowser();
  // The set-up form renders only while there are no users: read it now, sweep it afterwards.
  setupForms = (await renderedForms(browser, `${server.url}/setup`)).forms;
  const setup = await postForm(`${server.url}/setup`, [["orgName", "Acme sweep"], ["username", USER], ["password", PASSWORD], ["confirmPassword", PASSWORD]], undefined);
  expect(setup.status).toBe(302);
  apiToken = await apiSignIn(server.url, USER, PASSWORD);

  // One of everything a form or an endpoint can point at.
  const agent = (await apiJson("POST", "/api/agents", { name: "Sweep agent", role: "Dev" })).agent as { id: string };
  await apiJson("POST", "/api/tasks", { title: "Sweep task", assignedAgent: agent.id, tags: ["sweep"] });
  await apiJson("POST", "/api/gateways", { name: "Sweep gateway", url: "ws://127.0.0.1:9" });
  const cookie = await freshCookie();
  await postForm(`${server.url}/settings/tags`, [["intent", "create"], ["name", "sweep-tag"], ["color", "#336699"]], cookie);
  await postForm(`${server.url}/settings/tokens`, [["intent", "create"], ["name", "sweep token"]], cookie);
  await postForm(`${server.url}/boards?index`, [["intent", "create-group"], ["name", "Sweep group"]], cookie);
  for (let i = 0; i < 2; i++) {
    const page = await (await postForm(`${server.url}/settings/members`, [["intent", "create-invite"], ["role", "member"]], cookie)).text();
    inviteUrl = page.match(/https?:\/\/[^"<\s]+\/invite\/[A-Za-z0-9_-]+/)?.[0] ?? "";
    if (i === 0) {
      // a second member, so that the members page renders its change-role and remove forms
      const joined = await postForm(inviteUrl, [["username", "second-member"], ["password", PASSWORD], ["confirmPassword", PASSWORD]], undefined);
      expect(joined.status).toBe(302);
    }
  }
  expect(inviteUrl).not.toBe("");
  // A second organization, so that the switch forms render (its own session becomes active there).
  // Sign-in picks the first organization by name: this one sorts after the seeded one.
  await postForm(`${server.url}/orgs/new`, [["name", "Zz second org"]], await freshCookie());

  spareCookie = await freshCookie();
  witness = new DatabaseWitness(server.databaseUrl);
  await witness.open();
}, 120_000);

afterAll(async () => {
  await witness?.close();
  await browser?.close();
  await server?.stop();
});

describe("hostile input, swept over every form action", () => {
  async function discoverForms(): Promise<Array<{ form: RenderedForm; signedIn: boolean }>> {
    const owner = await freshCookie();
    const found: Array<{ form: RenderedForm; signedIn: boolean }> = setupForms.map((form) => ({ form, signedIn: false }));
    for (const url of [`${server.url}/login`, inviteUrl]) {
      for (const form of (await renderedForms(browser, url)).forms) found.push({ form, signedIn: false });
    }
    // Crawl the app as the owner: one page per route pattern.
    const queue = [`${server.url}/`, inviteUrl];
    const seenRoutes = new Set<string>();
    while (queue.length > 0 && seenRoutes.size < 60) {
      const url = queue.shift()!;
      const parsed = new URL(url);
      if (parsed.origin !== server.url || /^\/(api|events|logout|assets)\b/.test(parsed.pathname)) continue;
      const route = Object.values(routes)
        .filter((candidate) => candidate.id !== "root" && !candidate.id.startsWith("routes/api."))
        .find((candidate) => new RegExp("^" + routePattern(routes, candidate.id).replace(/\/+$/, "").replace(/:[^/]+/g, "[^/]+") + "/?$").test(parsed.pathname));
      const key = route ? route.id : parsed.pathname;
      if (seenRoutes.has(key)) continue;
      seenRoutes.add(key);
      if (route) crawled.push({ url, routeId: route.id });
      const page = await renderedForms(browser, url, owner);
      for (const form of page.forms) found.push({ form, signedIn: true });
      queue.push(...page.links);
    }
    return found;
  }

  it("answers every form action's hostile fields, keys, bodies and ids with < 500, and a refusal writes nothing", async () => {
    const failures: Failure[] = [];
    const found = await discoverForms();
    // destructive variants last, so the others still find what they point at
    const destructive = (form: RenderedForm) => /delete|remove|revoke|logout/.test(`${form.label} ${form.action}`);
    found.sort((a, b) => Number(destructive(a.form)) - Number(destructive(b.form)));
    const variants = new Map<string, { form: RenderedForm; signedIn: boolean }>();
    for (const item of found) variants.set(`${item.form.method} ${new URL(item.form.action).pathname} ${item.form.label} ${item.signedIn}`, item);
    // each signed-in variant gets its own session: a logout or an org switch must not leak into the next
    const nextCookie = await cookiePool([...variants.values()].filter((item) => item.signedIn).length);
    lastSnapshot = undefined;

    for (const { form, signedIn } of variants.values()) {
      const actionUrl = new URL(form.action);
      const route = matchActionRoute(routes, actionUrl);
      const cookie = signedIn ? nextCookie() : undefined;
      const name = `${form.method.toUpperCase()} ${actionUrl.pathname}${actionUrl.search} [${form.label}]${signedIn ? "" : " signed out"}`;
      const headers = { Origin: server.url, ...(cookie ? { Cookie: cookie } : {}) };
      // Most probes go as a script-enabled browser sends them (Remix's `.data` request: the same
      // action, without rendering the page); the rendered page is checked with a subset.
      const send = (label: string, entries: Array<[string, string]>, target = actionUrl, asDocument = false) => {
        const url = new URL(target);
        if (!asDocument) url.pathname = url.pathname === "/" ? "/_root.data" : `${url.pathname.replace(/\/$/, "")}.data`;
        return form.method === "get"
          ? probe({ label: `${name} ${label}`, url: `${url.origin}${url.pathname}?${new URLSearchParams(entries)}`, init: { headers }, api: false }, failures)
          : probe({ label: `${name} ${label}${asDocument ? " (page)" : ""}`, url: url.toString(), init: { method: "POST", headers, body: new URLSearchParams(entries) }, api: false }, failures);
      };
      if (form.method === "post") {
        if (!route?.hasAction) {
          failures.push(`${name}: posts to a URL no action route answers`);
          continue;
        }
        swept.add(route.id);
      }
      const withValue = (field: string, value: string) => form.entries.filter(([key]) => key !== field).concat([[field, value]]);
      for (const field of form.fields) {
        for (const hostile of HOSTILE_STRINGS) await send(`${field}=${hostile.label}`, withValue(field, hostile.value));
        // the page echoes what was sent back into the form: render it with markup and with a NUL
        await send(`${field}=HTML/script`, withValue(field, "<script>alert(1)</script>"), actionUrl, true);
        // an array where one value belongs
        await send(`${field} twice`, [...form.entries, [field, "second value"]]);
      }
      if (form.method === "get") continue;
      for (const key of HOSTILE_FORM_KEYS) await send(`extra key ${JSON.stringify(key)}`, [...form.entries, [key, key === "__intent__" || key === "__state__" ? "{not json" : "x"]]);
      await send("extra key \"constructor\"", [...form.entries, ["constructor", "x"]], actionUrl, true);
      await send("NUL in every field", form.entries.map(([key, value]) => [key, `${value}\u0000`]), actionUrl, true);
      const raw = (label: string, body: BodyInit, type?: string) =>
        probe({ label: `${name} ${label}`, url: actionUrl.toString(), init: { method: "POST", headers: { ...headers, ...(type ? { "Content-Type": type } : {}) }, body }, api: false }, failures);
      const multipart = new FormData();
      for (const [key, value] of form.entries) multipart.append(key, value);
      multipart.append(form.fields[0] ?? "file", new Blob(["\u0000binary"]), "upload.bin");
      await raw("multipart with a file", multipart);
      await raw("invalid UTF-8 bytes", Buffer.concat([Buffer.from(new URLSearchParams(form.entries).toString() + "&x="), Buffer.from([0xff, 0xfe, 0xc3])]), "application/x-www-form-urlencoded");
      await raw("JSON body", JSON.stringify(Object.fromEntries(form.entries)), "application/json");
      await raw("text/plain body", "hello\u0000", "text/plain");
      await raw("2 MB body", "a=" + "x".repeat(2 * 1024 * 1024), "application/x-www-form-urlencoded");
      await probe({ label: `${name} without Origin`, url: actionUrl.toString(), init: { method: "POST", headers: cookie ? { Cookie: cookie } : {}, body: new URLSearchParams(form.entries) }, api: false }, failures);
      // hostile ids in place of each path parameter of the action's route
      const pattern = routePattern(routes, route!.id).split("/");
      const segments = actionUrl.pathname.split("/");
      for (const [index, part] of pattern.entries()) {
        if (!part.startsWith(":")) continue;
        for (const hostile of HOSTILE_IDS) {
          const target = new URL(actionUrl);
          target.pathname = segments.map((segment, i) => (i === index ? hostile.value : segment)).join("/");
          await send(`${part}=${hostile.label}`, form.entries, target);
        }
      }
    }
    console.log(`form sweep: ${variants.size} form variants, ${stats.requests} requests so far`);
    expect(report(failures)).toBe("");
  }, 300_000);

  it("answers every crawled page with hostile ids in its path with < 500", async () => {
    const failures: Failure[] = [];
    const headers = { Cookie: spareCookie };
    lastSnapshot = undefined;
    let pages = 0;
    for (const { url, routeId } of crawled) {
      const pattern = routePattern(routes, routeId).split("/");
      const segments = new URL(url).pathname.split("/");
      for (const [index, part] of pattern.entries()) {
        if (!part.startsWith(":")) continue;
        pages++;
        for (const [i, hostile] of HOSTILE_IDS.entries()) {
          const path = segments.map((segment, j) => (j === index ? hostile.value : segment)).join("/");
          // the first as a page, the rest as the data request a client-side navigation makes
          const target = i === 0 ? path : `${path}.data`;
          await probe({ label: `GET ${target} (${part}=${hostile.label})`, url: server.url + target, init: { headers }, api: false }, failures);
        }
      }
    }
    expect(pages).toBeGreaterThan(3);
    expect(report(failures)).toBe("");
  });

  it("reached every route that exports an action", () => {
    const uiActions = Object.values(routes).filter((route) => route.hasAction && !route.id.startsWith("routes/api."));
    expect(uiActions.length).toBeGreaterThan(10);
    expect(uiActions.map((route) => route.id).filter((id) => !swept.has(id))).toEqual([]);
  });
});

describe("hostile input, swept over every API operation", () => {
  it("answers every documented operation's hostile fields, bodies, queries and ids with < 500 and the error shape, and a refusal writes nothing", async () => {
    const failures: Failure[] = [];
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Record<string, unknown>;
    const operations = apiOperations(doc);
    expect(operations.length).toBeGreaterThan(10);
    // the real id for a path like /api/tasks/{id}: the first item its collection lists
    const realIds = new Map<string, string>();
    for (const op of operations.filter((o) => o.pathParams.length > 0)) {
      const collection = op.path.replace(/\/\{[^}]+\}.*$/, "");
      if (realIds.has(collection)) continue;
      const list = await apiJson("GET", collection);
      const items = Object.values(list).find(Array.isArray) as Array<{ id: string }> | undefined;
      if (items?.[0]) realIds.set(collection, items[0].id);
    }
    const urlFor = (op: ApiOperation, id?: string) =>
      server.url + op.path.replace(/\{[^}]+\}/g, () => id ?? realIds.get(op.path.replace(/\/\{[^}]+\}.*$/, "")) ?? "missing");
    const auth = { Authorization: `Bearer ${apiToken}` };
    // the error shape is the REST API's contract (/api/…); documented probes (/health, /ready) need a sentence
    const api = (op: ApiOperation) => op.path.startsWith("/api/");
    const sendJson = (op: ApiOperation, label: string, body: BodyInit, type = "application/json", url = urlFor(op)) =>
      probe({ label: `${op.method} ${op.path} ${label}`, url, init: { method: op.method, headers: { ...auth, "Content-Type": type }, body }, api: api(op) }, failures);

    // deletes last: they would remove what the other probes point at
    const ordered = [...operations].sort((a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"));
    for (const op of ordered) {
      if (op.body) {
        const names = Object.keys(op.body);
        const baseline: Record<string, unknown> = {};
        for (const name of op.required.length > 0 ? op.required : names.slice(0, 1)) baseline[name] = exampleFor(op.body[name] ?? {}, {});
        for (const name of names) {
          for (const hostile of HOSTILE_JSON) await sendJson(op, `${name}=${hostile.label}`, JSON.stringify({ ...baseline, [name]: hostile.value }));
        }
        const inner = JSON.stringify(baseline).slice(1, -1);
        for (const key of HOSTILE_KEYS) await sendJson(op, `key ${JSON.stringify(key)}`, `{${JSON.stringify(key)}:1${inner ? "," + inner : ""}}`);
        await sendJson(op, "100k levels of [", "[".repeat(100_000) + "]".repeat(100_000));
        await sendJson(op, "100k unclosed [", "[".repeat(100_000));
        await sendJson(op, "200k-element array", JSON.stringify(Array.from({ length: 200_000 }, () => 1)));
        await sendJson(op, "invalid UTF-8", Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
        for (const literal of ["null", "[]", '"text"', "123", "", "{"]) await sendJson(op, `body ${JSON.stringify(literal)}`, literal);
        await sendJson(op, "as a form", new URLSearchParams(Object.entries(baseline).map(([k, v]) => [k, String(v)])).toString(), "application/x-www-form-urlencoded");
        const multipart = new FormData();
        for (const [k, v] of Object.entries(baseline)) multipart.append(k, String(v));
        await probe({ label: `${op.method} ${op.path} multipart`, url: urlFor(op), init: { method: op.method, headers: auth, body: multipart }, api: api(op) }, failures);
        await sendJson(op, "text/plain", "hello", "text/plain");
        await sendJson(op, "2 MB", JSON.stringify({ [names[0] ?? "x"]: "x".repeat(2 * 1024 * 1024) }));
      }
      for (const param of op.queryParams) {
        for (const hostile of HOSTILE_STRINGS) {
          await probe({ label: `${op.method} ${op.path}?${param}=${hostile.label}`, url: `${urlFor(op)}?${param}=${encodeURIComponent(hostile.value)}`, init: { method: op.method, headers: auth }, api: api(op) }, failures);
        }
      }
      if (op.method === "GET") {
        await probe({ label: `${op.method} ${op.path}?prototype keys`, url: `${urlFor(op)}?constructor=1&__proto__=1&toString=1`, init: { headers: auth }, api: api(op) }, failures);
        await probe({ label: `${op.method} ${op.path}?100 kB query`, url: `${urlFor(op)}?q=${"x".repeat(100_000)}`, init: { headers: auth }, api: api(op) }, failures);
      }
      for (const _param of op.pathParams) {
        for (const hostile of HOSTILE_IDS) {
          await probe({ label: `${op.method} ${op.path} id=${hostile.label}`, url: urlFor(op, hostile.value), init: { method: op.method, headers: { ...auth, "Content-Type": "application/json" }, body: op.body ? "{}" : undefined }, api: api(op) }, failures);
        }
      }
    }
    console.log(`API sweep: ${operations.length} operations; ${stats.requests} requests in all, ${stats.refused} refused, ${stats.accepted} accepted`);
    expect(report(failures)).toBe("");
    // what the server logged as an error is a failure too (a handled 500 still means a bug)
    expect(server.output().stderr.split("\n").filter((line) => line.includes('"level":"error"')).slice(0, 5)).toEqual([]);
  }, 300_000);
});

describe("a keep-alive connection after a refused body", () => {
  /** The second request asks the server to close after it: the end of its answer is the connection's end. */
  const LAST_REQUEST = `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

  /** Writes raw bytes and collects what comes back until the server closes (or resets). */
  function exchange(payload: Buffer | string): Promise<{ statuses: string[]; error?: string }> {
    return new Promise((resolve) => {
      const socket = net.connect(server.port, "127.0.0.1");
      let received = "";
      const finish = (error?: string) => {
        socket.destroy();
        resolve({ statuses: received.match(/HTTP\/1\.1 \d{3}/g) ?? [], error });
      };
      socket.on("data", (chunk) => (received += chunk.toString("latin1")));
      socket.on("error", (error: NodeJS.ErrnoException) => finish(error.code));
      socket.on("end", () => finish());
      socket.write(payload);
    });
  }

  it("answers a 2 MB JSON body 413 and then the next request on the same connection", async () => {
    const body = "x".repeat(2 * 1024 * 1024);
    const result = await exchange(
      `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        LAST_REQUEST,
    );
    expect(result).toEqual({ statuses: ["HTTP/1.1 413", "HTTP/1.1 200"], error: undefined });
  });

  it("answers a chunked JSON body that passes the cap 413 and then the next request", async () => {
    const chunk = "x".repeat(64 * 1024);
    const chunks = Array.from({ length: 24 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const result = await exchange(
      `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n` + LAST_REQUEST,
    );
    expect(result).toEqual({ statuses: ["HTTP/1.1 413", "HTTP/1.1 200"], error: undefined });
  });

  // fetch() resolves dot segments before sending, so these go raw: Remix resolves `/api/../x` to the
  // page x, and the guards once took it for the API (a JSON body was a 500, a chunked form read whole).
  it("refuses /api/../<page> and /api/%2e%2e/<page> for every page, and asks a chunked form for its length", async () => {
    const pages = new Set(["/login", "/setup", ...crawled.map(({ url }) => new URL(url).pathname)]);
    for (const page of pages) {
      for (const prefix of ["/api/..", "/api/%2e%2e", "/API/.%2E"]) {
        const result = await exchange(`POST ${prefix}${page} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}` + LAST_REQUEST);
        expect({ target: `${prefix}${page}`, ...result }).toEqual({ target: `${prefix}${page}`, statuses: ["HTTP/1.1 400", "HTTP/1.1 200"], error: undefined });
      }
    }
    const chunk = "a=" + "x".repeat(64 * 1024);
    const chunks = Array.from({ length: 24 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const result = await exchange(`POST /api/../login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n` + LAST_REQUEST);
    expect(result).toEqual({ statuses: ["HTTP/1.1 411", "HTTP/1.1 200"], error: undefined });
  });

  it("answers a request whose body is never read (a bad id) and then the next request", async () => {
    const body = JSON.stringify({ title: "y".repeat(512 * 1024) });
    const result = await exchange(
      `PATCH /api/tasks/not-an-id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        LAST_REQUEST,
    );
    expect(result).toEqual({ statuses: ["HTTP/1.1 404", "HTTP/1.1 200"], error: undefined });
  });
});
