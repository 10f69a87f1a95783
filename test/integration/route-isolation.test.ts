import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createSession } from "~/auth/session.server";
import { db } from "~/db/data-source.server";
import { dispatchIntent } from "~/lib/ui-route.server";
import { buildOpenApiDocument } from "~/lib/openapi";
import { createApiToken } from "~/models/api-token.server";
import { apiRouteFiles, callRoute, openApiPathOf, routeModule, type RouteModule } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { ORIGIN, sessionCookieFor } from "../support/requests";
import {
  answerOf, apiValue, BODY_ID_FIELDS, formFor, MARK, normalise, PARAM_ROWS, PARAMS_NOT_IDS, pageFiles, paramsOf, seedOrgA, snapshotOfOrg, type Fixtures,
} from "../support/route-probes";
import { apiOperations } from "../support/sweep";
/*
 * Issue 12, point 10: isolation across two organizations on EVERY route, enumerated rather than
 * hand-picked. Page routes come from the route files in app/routes, API operations from the
 * generated OpenAPI document, a route's form intents from the table its action hands to
 * dispatchIntent (recorded by a pass-through spy). Org B's owner (cookie) and org B's API token and
 * session token ask for org A's ids with every method and intent: the answer must be the one a
 * non-existent id gets, it must never contain A's data, and none of A's rows may change. A route
 * file that neither table below covers fails the test, so a new route cannot be forgotten.
 */

vi.mock("~/lib/ui-route.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("~/lib/ui-route.server")>();
  return { ...actual, dispatchIntent: vi.fn(actual.dispatchIntent) };
});

useTestDatabase();

let A: Fixtures;
let aOrgName = "";
let bUser = "";
let bOrg = "";
let bApiToken = "";
let bSessionToken = "";

beforeAll(async () => {
  const seeded = await seedOrgA();
  A = seeded.rows;
  aOrgName = seeded.owner.org.name;
  const b = await ownerWithOrg("iso-b");
  bUser = b.user.id;
  bOrg = b.org.id;
  bApiToken = (await createApiToken({ orgId: b.org.id, name: "b-member", role: "member", actor: b.actor })).token;
  bSessionToken = (await createSession({ userId: b.user.id, activeOrgId: b.org.id })).token;
});

/** Asserts nothing of A's is in an answer B got: no id of A's rows and no name carrying the marker. */
function expectNoneOfA(label: string, text: string) {
  expect(text, label).not.toContain(MARK);
  for (const id of Object.values(A)) expect(text, `${label} contains one of A's ids`).not.toContain(id);
}

describe("every page route, as org B's owner", () => {
  it("covers every page route file: an id param is probed, any other param has a reason", () => {
    const uncovered = pageFiles().flatMap((file) => paramsOf(file).filter((param) => !PARAM_ROWS[param] && !PARAMS_NOT_IDS[file]).map((param) => `${file} ($${param})`));
    expect(uncovered, "add the param to PARAM_ROWS (with a row of A's) or the route to PARAMS_NOT_IDS with a reason").toEqual([]);
    expect(Object.keys(PARAMS_NOT_IDS).filter((file) => !pageFiles().includes(file)), "a reason for a route that no longer exists").toEqual([]);
  });

  it("answers A's ids in the address as it answers an id that does not exist, and shows none of A's data", async () => {
    const probed: string[] = [];
    for (const file of pageFiles()) {
      const module = routeModule(file) as RouteModule;
      if (!module.loader) continue;
      const params = paramsOf(file);
      const idParams = params.filter((param) => PARAM_ROWS[param] && !PARAMS_NOT_IDS[file]);
      const url = (ids: Record<string, string>) => ORIGIN + "/" + file.replace(/\.tsx?$/, "").replace(/^_app\./, "").replace(/\$(\w+)/g, (_, p: string) => ids[p] ?? "x").replace(/\./g, "/").replace(/\/?_index$/, "");
      const own = Object.fromEntries(params.map((p) => [p, PARAM_ROWS[p] && !PARAMS_NOT_IDS[file] ? A[PARAM_ROWS[p]!] : "overview"]));
      const none = Object.fromEntries(params.map((p) => [p, PARAM_ROWS[p] && !PARAMS_NOT_IDS[file] ? randomUUID() : "overview"]));
      const ask = async (ids: Record<string, string>) => {
        const cookie = await sessionCookieFor(bUser, bOrg);
        return answerOf(async () => module.loader!({ request: new Request(url(ids), { headers: { Cookie: cookie } }), params: ids, context: { clientIp: "127.0.0.1" } }));
      };
      const theirs = await ask(own);
      expectNoneOfA(`GET ${file}`, theirs.text);
      if (idParams.length > 0) {
        const missing = await ask(none);
        expect(theirs.status, `GET ${file} with A's ids`).toBe(404);
        expect(normalise(theirs.text), `GET ${file}: A's id answers like a missing one`).toBe(normalise(missing.text));
      }
      probed.push(file);
    }
    expect(probed.length).toBeGreaterThan(20);
  });

  it("answers every form intent sent with A's ids like the same intent with ids that do not exist, and changes none of A's rows", async () => {
    const before = await snapshotOfOrg(A.org);
    const spy = vi.mocked(dispatchIntent);
    const probed: string[] = [];
    const aOwner = (await db().query("select user_id from memberships where org_id = $1 and role = 'owner'", [A.org]))[0].user_id as string;
    for (const file of pageFiles()) {
      const module = routeModule(file) as RouteModule;
      if (!module.action) continue;
      const params = paramsOf(file);
      const own = Object.fromEntries(params.map((p) => [p, PARAM_ROWS[p] && !PARAMS_NOT_IDS[file] ? A[PARAM_ROWS[p]!] : "x"]));
      const none = Object.fromEntries(params.map((p) => [p, PARAM_ROWS[p] && !PARAMS_NOT_IDS[file] ? randomUUID() : "x"]));
      const post = async (ids: Record<string, string>, form: URLSearchParams, as: { user: string; org: string }) => {
        // a fresh session each time: one probe signing out or switching org must not change the next
        const cookie = await sessionCookieFor(as.user, as.org);
        const request = new Request(`${ORIGIN}/${file}`, { method: "POST", headers: { Cookie: cookie, Origin: ORIGIN }, body: form });
        return answerOf(async () => module.action!({ request, params: ids, context: { clientIp: "127.0.0.1" } }));
      };
      // the intents: what the action hands to dispatchIntent when A's owner asks for one it lacks
      spy.mockClear();
      await post(own, new URLSearchParams({ intent: "no-such-intent" }), { user: aOwner, org: A.org });
      const intents: Array<string | null> = spy.mock.calls.length > 0 ? Object.keys(spy.mock.calls[0]![1]) : [null];
      for (const intent of intents) {
        const fresh = new Map<string, string>();
        const ids = (row: keyof Fixtures) => fresh.get(row) ?? (fresh.set(row, randomUUID()), fresh.get(row)!);
        const theirs = await post(own, formFor(intent, (row) => A[row], aOrgName), { user: bUser, org: bOrg });
        const missing = await post(none, formFor(intent, ids, aOrgName), { user: bUser, org: bOrg });
        const label = `POST ${file} intent=${intent}`;
        // a refused form echoes what was sent (A's ids among it): the names of A's rows must not appear
        expect(theirs.text, label).not.toContain(MARK);
        expect(theirs.status, label).toBeLessThan(500);
        if (params.some((p) => PARAM_ROWS[p] && !PARAMS_NOT_IDS[file])) expect(theirs.status, label).toBe(404);
        expect(`${theirs.status} ${normalise(theirs.text)}`, `${label}: A's ids answer like missing ones`).toBe(`${missing.status} ${normalise(missing.text)}`);
        probed.push(label);
      }
    }
    expect(await snapshotOfOrg(A.org)).toBe(before);
    expect(probed.length).toBeGreaterThan(25);
  });
});

describe("every API operation, as org B's API token and session token", () => {
  /** OpenAPI path params that name a row, by path. */
  const PATH_ROWS: Record<string, keyof Fixtures> = {
    "/api/tasks/{id}": "task",
    "/api/agents/{id}": "agent",
    "/api/gateways/{id}": "gateway",
  };

  it("answers A's id in every documented path like an id that does not exist, for every method, and lists none of A's rows", async () => {
    const doc = buildOpenApiDocument() as unknown as Record<string, unknown>;
    const files = new Map(apiRouteFiles().map((file) => [openApiPathOf(file), file]));
    const operations = apiOperations(doc).filter((op) => op.path.startsWith("/api/"));
    const uncovered = operations.filter((op) => op.pathParams.length > 0 && !PATH_ROWS[op.path]).map((op) => `${op.method} ${op.path}`);
    expect(uncovered, "add the path to PATH_ROWS with a row of A's").toEqual([]);
    const before = await snapshotOfOrg(A.org);
    let probed = 0;
    for (const op of operations) {
      const file = files.get(op.path);
      expect(file, `${op.path} has a route file`).toBeDefined();
      const module = routeModule(file!) as RouteModule;
      const body = op.body ? Object.fromEntries(Object.entries(op.body).map(([name, schema]) => [name, BODY_ID_FIELDS[name] ? A[BODY_ID_FIELDS[name]!] : apiValue(name, schema)])) : undefined;
      for (const token of [bApiToken, bSessionToken]) {
        const kind = token === bApiToken ? "API token" : "session token";
        const call = (id: string) =>
          callRoute(module, op.path.replace("{id}", id), {
            method: op.method,
            token,
            body: op.method === "GET" || op.method === "DELETE" ? undefined : body,
            params: op.pathParams.length > 0 ? { id } : {},
            headers: op.method === "PATCH" || op.method === "PUT" ? { "If-Match": '"1"' } : {},
          });
        if (op.path === "/api/auth/login") continue; // no org rows: a sign-in (its own tests: user.server.test.ts, api.test.ts)
        if (op.pathParams.length === 0) {
          if (op.method !== "GET") continue; // creates in B's own org; their id fields are the body probe below
          const answer = await call("");
          expectNoneOfA(`${kind} ${op.method} ${op.path}`, answer.text);
          probed++;
          continue;
        }
        const theirs = await call(A[PATH_ROWS[op.path]!]);
        const missing = await call(randomUUID());
        const label = `${kind} ${op.method} ${op.path}`;
        // a member token asking for admin work is refused before any lookup, whatever the id: that says nothing of A
        expect(`${theirs.status} ${theirs.text}`, label).toMatch(kind === "API token" ? /^40[34] / : /^404 /);
        expectNoneOfA(label, theirs.text);
        expect(normalise(theirs.text), `${label}: A's id answers like a missing one`).toBe(normalise(missing.text));
        probed++;
      }
    }
    // creates whose bodies name A's rows (an assignee, a board) answer like unknown ids
    for (const op of operations.filter((o) => o.method === "POST" && o.pathParams.length === 0 && o.body && Object.keys(o.body).some((name) => name.endsWith("Id")))) {
      const module = routeModule(files.get(op.path)!) as RouteModule;
      const bodyWith = (ids: (row: keyof Fixtures) => string) =>
        Object.fromEntries(Object.entries(op.body!).map(([name, schema]) => [name, BODY_ID_FIELDS[name] ? ids(BODY_ID_FIELDS[name]!) : apiValue(name, schema)]));
      const theirs = await callRoute(module, op.path, { method: "POST", token: bApiToken, body: bodyWith((row) => A[row]) });
      const missing = await callRoute(module, op.path, { method: "POST", token: bApiToken, body: bodyWith(() => randomUUID()) });
      expectNoneOfA(`POST ${op.path}`, theirs.text);
      expect(`${theirs.status} ${normalise(theirs.text)}`, `POST ${op.path} with A's ids`).toBe(`${missing.status} ${normalise(missing.text)}`);
      probed++;
    }
    expect(await snapshotOfOrg(A.org)).toBe(before);
    expect(probed).toBeGreaterThan(10);
  });
});
