import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createSession } from "~/auth/session.server";
import { db, transaction } from "~/db/data-source.server";
import { AGENT_ROLES } from "~/db/entities";
import { dispatchIntent } from "~/lib/ui-route.server";
import { buildOpenApiDocument } from "~/lib/openapi";
import { createAgent } from "~/models/agent.server";
import { upsertSessionRows, listAgentSessions } from "~/models/agent-session.server";
import { createApiToken } from "~/models/api-token.server";
import { createBoardGroup, getDefaultBoard } from "~/models/board.server";
import { createGateway } from "~/models/gateway.server";
import { acceptInvite, createInvite } from "~/models/organization.server";
import { createTag } from "~/models/tag.server";
import { createTask } from "~/models/task.server";
import { createUser } from "~/models/user.server";
import { apiRouteFiles, callRoute, openApiPathOf, routeModule, type RouteModule } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { ORIGIN, sessionCookieFor, settle } from "../support/requests";
import { apiOperations, exampleFor } from "../support/sweep";

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

const ROUTES_DIR = path.resolve(__dirname, "../../app/routes");
/** Every string that names a row of org A, and the marker in every name A's rows carry. */
const MARK = "ALPHA-PRIVATE";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Route params that name a row, and which of A's rows stands in for them. */
const PARAM_ROWS: Record<string, keyof Fixtures> = {
  boardId: "board",
  taskId: "task",
  agentId: "agent",
  gatewayId: "gateway",
  sessionId: "session",
};

/** Page routes whose params are not a row id: why each needs no cross-organization probe of its param. */
const PARAMS_NOT_IDS: Record<string, string> = {
  "invite.$token.tsx": "the param is an invite secret, not an org row id: an invite is how one joins another org on purpose (organization.server.test.ts)",
  "_app.monitoring.$section.tsx": "the param is one of a fixed list of section names; the page's data is the signed-in org's (its loader is still checked for A's data below)",
};

/** Page routes without params: their loader is checked for A's data and their form fields carry A's ids below. */
const NO_PARAMS_REASON = "no id in the address: the loader must not show A's rows, and every form intent is sent with A's ids in its id fields";

/** Form fields that carry a row id, filled with A's row (or a fresh uuid for the control request). */
const BODY_ID_FIELDS: Record<string, keyof Fixtures> = {
  taskId: "task",
  boardId: "board",
  groupId: "group",
  agentId: "agent",
  assigneeAgentId: "agent",
  gatewayId: "gateway",
  sessionId: "session",
  tagId: "tag",
  tokenId: "token",
  inviteId: "invite",
  userId: "member",
  orgId: "org",
};

/** Plausible values for the other fields, so a probe reaches the model rather than stopping at the schema. */
const OTHER_FIELDS = (salt: number): Record<string, string> => ({
  title: `Probe-${salt}`,
  name: `Probe-${salt}`,
  description: "",
  status: "done",
  priority: "low",
  role: "viewer",
  color: "#336699",
  url: `ws://127.0.0.1:${9000 + salt}`,
  pollIntervalSeconds: "30",
  tags: "",
});
let salt = 0;

interface Fixtures {
  org: string;
  board: string;
  task: string;
  agent: string;
  gateway: string;
  session: string;
  tag: string;
  token: string;
  invite: string;
  member: string;
  group: string;
}

let A: Fixtures;
let aOrgName = "";
let bUser = "";
let bOrg = "";
let bApiToken = "";
let bSessionToken = "";

const pageFiles = () => readdirSync(ROUTES_DIR).filter((file) => /\.tsx?$/.test(file) && !file.startsWith("api."));
const paramsOf = (file: string) => [...file.matchAll(/\$(\w+)/g)].map((match) => match[1]!);
/** ids, and the per-probe names and ports that keep two creates from colliding */
const normalise = (text: string) => text.replace(UUID, "<id>").replace(/Probe-\d+/g, "Probe").replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\/invite\/[a-z0-9]+/g, "/invite/<secret>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
/** Body values the document's schemas do not give an example for (a nullable date is anyOf). */
const API_VALUES: Record<string, unknown> = { dueDate: "2026-12-31", url: "ws://127.0.0.1:9", token: "probe-token", transcriptDir: null };
const apiValue = (name: string, schema: Record<string, unknown>) => (name in API_VALUES ? API_VALUES[name] : exampleFor(schema, {}));

async function answerOf(work: () => Promise<unknown>): Promise<{ status: number; text: string }> {
  const result = await settle(work);
  if (result instanceof Response) return { status: result.status, text: await result.text() };
  const wrapped = result as { type?: string; data?: unknown; init?: { status?: number } | null };
  if (wrapped && wrapped.type === "DataWithResponseInit") return { status: wrapped.init?.status ?? 200, text: JSON.stringify(wrapped.data) };
  if (result instanceof Error) return { status: 500, text: `${result.name}: ${result.message}` };
  return { status: 200, text: JSON.stringify(result ?? null) };
}

/** Every row of org A, in every table that has an org_id, plus A's users: what no probe may change. */
async function snapshotOfA(): Promise<string> {
  const tables: Array<{ table_name: string }> = await db().query(
    "select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id' order by 1",
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows: Array<{ row: unknown }> = await db().query(`select to_jsonb(t) as row from "${table_name}" t where org_id = $1 order by 1`, [A.org]);
    parts.push(`${table_name}:${JSON.stringify(rows.map((r) => r.row))}`);
  }
  const org: unknown[] = await db().query("select to_jsonb(o) as row from organizations o where id = $1", [A.org]);
  const users: unknown[] = await db().query("select to_jsonb(u) - 'last_login_at' as row from users u where id in (select user_id from memberships where org_id = $1) order by 1", [A.org]);
  return parts.join("\n") + JSON.stringify(org) + JSON.stringify(users);
}

function formFor(intent: string | null, ids: (row: keyof Fixtures) => string) {
  const form = new URLSearchParams(OTHER_FIELDS(++salt));
  if (intent !== null) form.set("intent", intent);
  for (const [field, row] of Object.entries(BODY_ID_FIELDS)) form.set(field, ids(row));
  // A's name, so a confirm-by-name form would act on A if it looked the name up across orgs
  form.set("confirmName", aOrgName);
  return form;
}

beforeAll(async () => {
  const a = await ownerWithOrg("iso-a");
  const b = await ownerWithOrg("iso-b");
  aOrgName = a.org.name;
  bUser = b.user.id;
  bOrg = b.org.id;
  const board = (await getDefaultBoard(a.org.id))!;
  const agent = await createAgent({ orgId: a.org.id, name: `${MARK} agent`, role: AGENT_ROLES[0], actor: a.actor });
  const gateway = await createGateway({ orgId: a.org.id, input: { name: `${MARK} gateway`, url: "ws://127.0.0.1:1", token: `${MARK}-gateway-token` }, actor: a.actor });
  const task = await createTask({ orgId: a.org.id, input: { title: `${MARK} task`, description: `${MARK} description`, assigneeAgentId: agent.id }, actor: a.actor });
  await upsertSessionRows({
    orgId: a.org.id,
    gatewayId: gateway.id,
    sessions: [{
      sessionKey: "agent:main:main", sessionId: null, externalAgentId: "main", type: "main", label: `${MARK} session`, model: null, parentSessionKey: null,
      contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: Date.now(), endedAt: null,
    }],
  });
  const sessionId = (await listAgentSessions(a.org.id))[0]!.id;
  const tag = await createTag({ orgId: a.org.id, name: `${MARK} tag`, color: "#336699", actor: a.actor });
  const { apiToken } = await createApiToken({ orgId: a.org.id, name: `${MARK} token`, actor: a.actor });
  const { invite } = await createInvite({ orgId: a.org.id, role: "viewer", actor: a.actor });
  const memberUser = await transaction((m) => createUser(m, { username: `iso-member-${randomUUID().slice(0, 6)}`, password: "member-password-1" }));
  const { token: joinToken } = await createInvite({ orgId: a.org.id, role: "member", actor: a.actor });
  await acceptInvite({ token: joinToken, user: memberUser });
  const group = await createBoardGroup({ orgId: a.org.id, name: `${MARK} group`, actor: a.actor });
  A = { org: a.org.id, board: board.id, task: task.id, agent: agent.id, gateway: gateway.id, session: sessionId, tag: tag.id, token: apiToken.id, invite: invite.id, member: memberUser.id, group: group.id };

  bApiToken = (await createApiToken({ orgId: b.org.id, name: "b-admin", role: "member", actor: b.actor })).token;
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
    const before = await snapshotOfA();
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
        const theirs = await post(own, formFor(intent, (row) => A[row]), { user: bUser, org: bOrg });
        const missing = await post(none, formFor(intent, ids), { user: bUser, org: bOrg });
        const label = `POST ${file} intent=${intent}`;
        // a refused form echoes what was sent (A's ids among it): the names of A's rows must not appear
        expect(theirs.text, label).not.toContain(MARK);
        expect(theirs.status, label).toBeLessThan(500);
        if (params.some((p) => PARAM_ROWS[p] && !PARAMS_NOT_IDS[file])) expect(theirs.status, label).toBe(404);
        expect(`${theirs.status} ${normalise(theirs.text)}`, `${label}: A's ids answer like missing ones`).toBe(`${missing.status} ${normalise(missing.text)}`);
        probed.push(label);
      }
    }
    expect(await snapshotOfA()).toBe(before);
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
    const before = await snapshotOfA();
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
    expect(await snapshotOfA()).toBe(before);
    expect(probed).toBeGreaterThan(10);
  });
});
