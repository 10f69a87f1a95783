import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/auth/session.server";
import { db } from "~/db/data-source.server";
import { createAgent } from "~/models/agent.server";
import { createApiToken, revokeApiToken } from "~/models/api-token.server";
import { getDefaultBoard } from "~/models/board.server";
import { createInvite, signUpWithInvite } from "~/models/organization.server";
import { createTask } from "~/models/task.server";
import * as catchAllRoute from "~/routes/api.$";
import * as agentRoute from "~/routes/api.agents.$id";
import * as agentsRoute from "~/routes/api.agents";
import * as loginRoute from "~/routes/api.auth.login";
import * as eventsRoute from "~/routes/api.events";
import * as taskRoute from "~/routes/api.tasks.$id";
import * as tasksRoute from "~/routes/api.tasks";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg, PASSWORD } from "../support/fixtures";

useTestDatabase();

/* The route modules' loader/action called directly, as Remix would, with the load context server.ts builds. */

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response> | Response;
interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  clientIp?: string;
}

async function call(route: RouteModule, url: string, { method = "GET", token, body, rawBody, params = {}, clientIp = "127.0.0.1" }: Call = {}) {
  const headers = new Headers();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers.set("Content-Type", "application/json");
  const request = new Request(new URL(url, "http://localhost"), { method, headers, body: payload });
  const handler = method === "GET" || method === "HEAD" ? route.loader : route.action;
  if (!handler) throw new Error(`route has no ${method === "GET" ? "loader" : "action"}`);
  let response: Response;
  try {
    response = await handler({ request, params, context: { clientIp } });
  } catch (thrown) {
    // requireApiAuth and the body helpers throw their Responses; Remix sends those as they are.
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as any };
}

async function countRows(table: "tasks" | "agents", orgId: string) {
  const rows: Array<{ count: number }> = await db().query(`select count(*)::int as count from ${table} where org_id = $1`, [orgId]);
  return rows[0]!.count;
}

const TASK_KEYS = ["id", "title", "description", "status", "assignedAgent", "priority", "createdAt", "updatedAt", "createdBy", "tags", "boardId", "dueDate"];

async function orgWithToken(label: string) {
  const owner = await ownerWithOrg(label);
  const { token, apiToken } = await createApiToken({ orgId: owner.org.id, name: `${label} agent`, actor: owner.actor });
  return { ...owner, token, apiToken };
}

describe("POST /api/auth/login", () => {
  it("returns a session token that works as a bearer token, and the user's role", async () => {
    const { user, org } = await ownerWithOrg("login");
    const res = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: user.username, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.json.user).toEqual({ id: user.id, name: user.displayName, role: "owner" });
    expect(typeof res.json.token).toBe("string");
    expect(res.json.expiresAt).toBeGreaterThan(Date.now());

    await createTask({ orgId: org.id, input: { title: "visible with the session token" }, actor: { type: "system", id: null, name: "System" } });
    const list = await call(tasksRoute, "/api/tasks", { token: res.json.token });
    expect(list.status).toBe(200);
    expect(list.json.tasks.map((t: { title: string }) => t.title)).toEqual(["visible with the session token"]);
  });

  it("answers 401 to a wrong password and 400 to a malformed body", async () => {
    const { user } = await ownerWithOrg("badlogin");
    const wrong = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: user.username, password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("invalid_credentials");
    expect(wrong.json).not.toHaveProperty("token");

    const unknown = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: "nobody-here", password: "whatever" } });
    expect(unknown.status).toBe(401);

    const broken = await call(loginRoute, "/api/auth/login", { method: "POST", rawBody: "{username:" });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe("invalid_json");

    const missing = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: user.username } });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("validation_failed");
    expect(missing.json.error.details).toHaveProperty("password");

    const get = await call(loginRoute, "/api/auth/login");
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
  });

  it("rate limits an account after 10 failures, even for the right password, with Retry-After", async () => {
    const { user } = await ownerWithOrg("limited");
    const clientIp = "203.0.113.7";
    for (let i = 0; i < 10; i++) {
      const res = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: user.username, password: "wrong password" }, clientIp });
      expect(res.status).toBe(401);
    }
    const limited = await call(loginRoute, "/api/auth/login", { method: "POST", body: { username: user.username, password: PASSWORD }, clientIp });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited.json).not.toHaveProperty("token");
  });
});

describe("authentication", () => {
  it("answers 401 without a token, with a malformed header, an unknown token or a revoked token", async () => {
    const { org, actor, token, apiToken } = await orgWithToken("auth");
    const none = await call(tasksRoute, "/api/tasks");
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe("unauthorized");

    const unknown = await call(tasksRoute, "/api/tasks", { token: "mc_" + "a".repeat(32) });
    expect(unknown.status).toBe(401);

    expect((await call(tasksRoute, "/api/tasks", { token })).status).toBe(200);
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    const revoked = await call(tasksRoute, "/api/tasks", { token });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe("unauthorized");

    const post = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "nope" } });
    expect(post.status).toBe(401);
    expect(await countRows("tasks", org.id)).toBe(0);
  });

  it("lets a viewer read but answers 403 to a viewer's writes and writes nothing", async () => {
    const { org, actor } = await ownerWithOrg("viewers");
    const invite = await createInvite({ orgId: org.id, role: "viewer", actor });
    const { user } = await signUpWithInvite({ token: invite.token, username: `viewer-${randomUUID().slice(0, 6)}`, password: PASSWORD });
    const { token } = await createSession({ userId: user.id, activeOrgId: org.id });
    const task = await createTask({ orgId: org.id, input: { title: "read only" }, actor });

    expect((await call(tasksRoute, "/api/tasks", { token })).json.tasks).toHaveLength(1);
    const post = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "viewer task" } });
    expect(post.status).toBe(403);
    expect(post.json.error.code).toBe("forbidden");
    const patch = await call(taskRoute, `/api/tasks/${task.id}`, { method: "PATCH", token, params: { id: task.id }, body: { title: "x" } });
    expect(patch.status).toBe(403);
    const del = await call(taskRoute, `/api/tasks/${task.id}`, { method: "DELETE", token, params: { id: task.id } });
    expect(del.status).toBe(403);
    const agent = await call(agentsRoute, "/api/agents", { method: "POST", token, body: { name: "Nova", role: "Dev" } });
    expect(agent.status).toBe(403);
    expect(await countRows("tasks", org.id)).toBe(1);
    expect(await countRows("agents", org.id)).toBe(0);
  });
});

describe("tasks", () => {
  it("creates, reads, moves, updates and deletes a task with an API token, in the BACKEND_SPEC shape", async () => {
    const { org, actor, token } = await orgWithToken("crud");
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const board = await getDefaultBoard(org.id);

    const created = await call(tasksRoute, "/api/tasks", {
      method: "POST",
      token,
      body: {
        title: "Build rate limiter",
        description: "Implement Redis-based rate limiting",
        status: "in-progress",
        assignedAgent: agent.id,
        priority: "high",
        tags: ["backend", "security"],
      },
    });
    expect(created.status).toBe(201);
    const task = created.json.task;
    expect(Object.keys(task).sort()).toEqual([...TASK_KEYS].sort());
    expect(task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: "Build rate limiter",
      description: "Implement Redis-based rate limiting",
      status: "in-progress",
      assignedAgent: agent.id,
      priority: "high",
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      createdBy: "crud agent",
      tags: ["backend", "security"],
      boardId: board!.id,
      dueDate: null,
    });
    expect(Math.abs(task.createdAt - Date.now())).toBeLessThan(60_000);

    const defaults = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "Minimal" } });
    expect(defaults.json.task).toMatchObject({ status: "backlog", priority: "medium", description: "", assignedAgent: null, tags: [], boardId: board!.id });

    const list = await call(tasksRoute, "/api/tasks", { token });
    expect(list.status).toBe(200);
    expect(list.json.tasks.map((t: { id: string }) => t.id).sort()).toEqual([task.id, defaults.json.task.id].sort());
    expect(list.json.tasks.find((t: { id: string }) => t.id === task.id)).toEqual(task);

    const one = await call(taskRoute, `/api/tasks/${task.id}`, { token, params: { id: task.id } });
    expect(one.json.task).toEqual(task);

    const moved = await call(taskRoute, `/api/tasks/${task.id}`, { method: "PATCH", token, params: { id: task.id }, body: { status: "done" } });
    expect(moved.status).toBe(200);
    expect(moved.json.task.status).toBe("done");
    expect(moved.json.task.updatedAt).toBeGreaterThanOrEqual(task.updatedAt);

    const updated = await call(taskRoute, `/api/tasks/${task.id}`, {
      method: "PATCH",
      token,
      params: { id: task.id },
      body: { title: "Ship rate limiter", assignedAgent: null, tags: ["ops"], dueDate: "2026-12-31", priority: "critical" },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.task).toMatchObject({ title: "Ship rate limiter", assignedAgent: null, tags: ["ops"], dueDate: "2026-12-31", priority: "critical", status: "done" });

    const deleted = await call(taskRoute, `/api/tasks/${task.id}`, { method: "DELETE", token, params: { id: task.id } });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ success: true });
    expect((await call(taskRoute, `/api/tasks/${task.id}`, { token, params: { id: task.id } })).status).toBe(404);
    expect((await call(taskRoute, `/api/tasks/${task.id}`, { method: "DELETE", token, params: { id: task.id } })).status).toBe(404);

    const events = await call(eventsRoute, "/api/events", { token });
    const types = events.json.events.filter((e: { taskId: string | null }) => e.taskId === task.id).map((e: { type: string }) => e.type);
    expect(types).toEqual(["task_deleted", "task_updated", "task_updated", "task_created"]);
    expect(events.json.events[0].actor).toEqual({ type: "token", name: "crud agent" });
  });

  it("filters by status, agent and board and rejects bad filter values with 400", async () => {
    const { org, actor, token } = await orgWithToken("filters");
    const patch = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const nova = await createAgent({ orgId: org.id, name: "Nova", role: "Research", actor });
    await createTask({ orgId: org.id, input: { title: "a", status: "todo", assigneeAgentId: patch.id }, actor });
    await createTask({ orgId: org.id, input: { title: "b", status: "todo", assigneeAgentId: nova.id }, actor });
    await createTask({ orgId: org.id, input: { title: "c", status: "done", assigneeAgentId: patch.id }, actor });
    const titles = (res: { json: { tasks: Array<{ title: string }> } }) => res.json.tasks.map((t) => t.title).sort();

    expect(titles(await call(tasksRoute, "/api/tasks?status=todo", { token }))).toEqual(["a", "b"]);
    expect(titles(await call(tasksRoute, `/api/tasks?agent=${patch.id}`, { token }))).toEqual(["a", "c"]);
    expect(titles(await call(tasksRoute, `/api/tasks?status=todo&agent=${patch.id}`, { token }))).toEqual(["a"]);
    expect(titles(await call(tasksRoute, "/api/tasks?status=", { token }))).toEqual(["a", "b", "c"]);
    const board = await getDefaultBoard(org.id);
    expect(titles(await call(tasksRoute, `/api/tasks?boardId=${board!.id}`, { token }))).toEqual(["a", "b", "c"]);
    expect(titles(await call(tasksRoute, `/api/tasks?boardId=${randomUUID()}`, { token }))).toEqual([]);

    const badStatus = await call(tasksRoute, "/api/tasks?status=doing", { token });
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.error.code).toBe("validation_failed");
    expect(badStatus.json.error.details.status[0]).toContain("backlog");
    const badAgent = await call(tasksRoute, "/api/tasks?agent=agent-patch", { token });
    expect(badAgent.status).toBe(400);
    expect(badAgent.json.error.details).toHaveProperty("agent");
  });

  it("rejects invalid bodies with 400 and field details and writes nothing", async () => {
    const { org, token } = await orgWithToken("invalid");
    const foreign = await ownerWithOrg("foreign");
    const foreignAgent = await createAgent({ orgId: foreign.org.id, name: "Spy", role: "Ops", actor: foreign.actor });
    const before = await countRows("tasks", org.id);

    const invalid = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "   ", status: "doing", priority: "urgent", tags: "x", extra: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe("validation_failed");
    expect(Object.keys(invalid.json.error.details).sort()).toEqual(["extra", "priority", "status", "tags", "title"]);
    expect(invalid.json.error.details.title).toEqual(["title is required"]);
    expect(invalid.json.error.details.extra).toEqual(["Unknown field"]);

    const brokenJson = await call(tasksRoute, "/api/tasks", { method: "POST", token, rawBody: '{"title": "unterminated' });
    expect(brokenJson.status).toBe(400);
    expect(brokenJson.json.error.code).toBe("invalid_json");

    const empty = await call(tasksRoute, "/api/tasks", { method: "POST", token, rawBody: "" });
    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe("invalid_json");

    const array = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: [{ title: "x" }] });
    expect(array.status).toBe(400);
    expect(array.json.error.code).toBe("validation_failed");

    const hugeTitle = "x".repeat(1024 * 1024 + 10);
    const huge = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: hugeTitle } });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("payload_too_large");

    const stolen = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "assign elsewhere", assignedAgent: foreignAgent.id } });
    expect(stolen.status).toBe(400);
    expect(stolen.json.error.code).toBe("agent_not_found");
    expect(stolen.json.error.details).toEqual({ assignedAgent: [expect.any(String)] });

    const foreignBoard = await getDefaultBoard(foreign.org.id);
    const otherBoard = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "x", boardId: foreignBoard!.id } });
    expect(otherBoard.status).toBe(404);
    expect(otherBoard.json.error.code).toBe("board_not_found");

    expect(await countRows("tasks", org.id)).toBe(before);
    expect(await countRows("tasks", foreign.org.id)).toBe(0);

    const task = (await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "kept" } })).json.task;
    const emptyPatch = await call(taskRoute, `/api/tasks/${task.id}`, { method: "PATCH", token, params: { id: task.id }, body: {} });
    expect(emptyPatch.status).toBe(400);
    expect(emptyPatch.json.error.message).toBe("Send at least one field to change");
    const badPatch = await call(taskRoute, `/api/tasks/${task.id}`, { method: "PATCH", token, params: { id: task.id }, body: { status: "doing", dueDate: "2026-13-01" } });
    expect(badPatch.status).toBe(400);
    expect(Object.keys(badPatch.json.error.details).sort()).toEqual(["dueDate", "status"]);
    // Date.parse rolls Feb 30 over to March; PostgreSQL would reject it, so it must be a 400, not a 500.
    const feb30 = await call(taskRoute, `/api/tasks/${task.id}`, { method: "PATCH", token, params: { id: task.id }, body: { dueDate: "2026-02-30" } });
    expect(feb30.status).toBe(400);
    expect(feb30.json.error.details).toEqual({ dueDate: ["That date does not exist"] });
    const feb30Create = await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title: "leap", dueDate: "2026-02-29" } });
    expect(feb30Create.status).toBe(400);
    expect(feb30Create.json.error.details).toEqual({ dueDate: ["That date does not exist"] });
    expect(await countRows("tasks", org.id)).toBe(before + 1);
    const after = await call(taskRoute, `/api/tasks/${task.id}`, { token, params: { id: task.id } });
    expect(after.json.task).toEqual(task);
  });

  it("answers 404 for unknown and malformed ids and 405 for other methods", async () => {
    const { token } = await orgWithToken("notfound");
    const missing = randomUUID();
    for (const id of [missing, "not-a-uuid", "1; drop table tasks"]) {
      const get = await call(taskRoute, `/api/tasks/${encodeURIComponent(id)}`, { token, params: { id } });
      expect(get.status).toBe(404);
      expect(get.json.error.code).toBe("not_found");
      const patch = await call(taskRoute, `/api/tasks/${encodeURIComponent(id)}`, { method: "PATCH", token, params: { id }, body: { title: "x" } });
      expect(patch.status).toBe(404);
      const del = await call(taskRoute, `/api/tasks/${encodeURIComponent(id)}`, { method: "DELETE", token, params: { id } });
      expect(del.status).toBe(404);
      const agent = await call(agentRoute, `/api/agents/${encodeURIComponent(id)}`, { method: "PATCH", token, params: { id }, body: { status: "busy" } });
      expect(agent.status).toBe(404);
    }

    const put = await call(tasksRoute, "/api/tasks", { method: "PUT", token, body: { title: "x" } });
    expect(put.status).toBe(405);
    expect(put.json.error.code).toBe("method_not_allowed");
    expect(put.headers.get("Allow")).toBe("GET, HEAD, POST");
    const post = await call(taskRoute, `/api/tasks/${missing}`, { method: "POST", token, params: { id: missing }, body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET, HEAD, PATCH, DELETE");
    expect((await call(eventsRoute, "/api/events", { method: "DELETE", token })).status).toBe(405);

    const nowhere = await call(catchAllRoute, "/api/nowhere", { params: { "*": "nowhere" } });
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.error.code).toBe("not_found");
  });

  it("keeps organizations apart: org B's token cannot see or change org A's tasks and agents", async () => {
    const a = await orgWithToken("org-a");
    const b = await orgWithToken("org-b");
    const agentA = await createAgent({ orgId: a.org.id, name: "Private agent", role: "Main", actor: a.actor });
    const taskA = (await call(tasksRoute, "/api/tasks", { method: "POST", token: a.token, body: { title: "Org A secret", assignedAgent: agentA.id } })).json.task;

    const listB = await call(tasksRoute, "/api/tasks", { token: b.token });
    expect(listB.json.tasks).toEqual([]);
    expect((await call(tasksRoute, `/api/tasks?agent=${agentA.id}`, { token: b.token })).json.tasks).toEqual([]);
    expect((await call(taskRoute, `/api/tasks/${taskA.id}`, { token: b.token, params: { id: taskA.id } })).status).toBe(404);

    const patch = await call(taskRoute, `/api/tasks/${taskA.id}`, { method: "PATCH", token: b.token, params: { id: taskA.id }, body: { title: "pwned" } });
    expect(patch.status).toBe(404);
    expect(patch.json.error.code).toBe("not_found");
    const del = await call(taskRoute, `/api/tasks/${taskA.id}`, { method: "DELETE", token: b.token, params: { id: taskA.id } });
    expect(del.status).toBe(404);

    expect((await call(agentsRoute, "/api/agents", { token: b.token })).json.agents).toEqual([]);
    const agentPatch = await call(agentRoute, `/api/agents/${agentA.id}`, { method: "PATCH", token: b.token, params: { id: agentA.id }, body: { status: "busy" } });
    expect(agentPatch.status).toBe(404);
    expect((await call(agentRoute, `/api/agents/${agentA.id}`, { token: b.token, params: { id: agentA.id } })).status).toBe(404);

    expect((await call(eventsRoute, "/api/events", { token: b.token })).json.events.some((e: { taskId: string | null }) => e.taskId === taskA.id)).toBe(false);

    const stillA = await call(taskRoute, `/api/tasks/${taskA.id}`, { token: a.token, params: { id: taskA.id } });
    expect(stillA.json.task).toEqual(taskA);
    const agentStill = await call(agentRoute, `/api/agents/${agentA.id}`, { token: a.token, params: { id: agentA.id } });
    expect(agentStill.json.agent.status).toBe("offline");
  });
});

describe("agents", () => {
  it("lists, creates and updates agents in the BACKEND_SPEC shape", async () => {
    const { org, token } = await orgWithToken("agents");
    const created = await call(agentsRoute, "/api/agents", { method: "POST", token, body: { name: "Patch", role: "Dev", status: "online", avatarColor: "#3b82f6" } });
    expect(created.status).toBe(201);
    const agent = created.json.agent;
    expect(agent).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Patch",
      role: "Dev",
      status: "online",
      lastActive: expect.any(Number),
      avatarColor: "#3b82f6",
      source: "manual",
    });

    const plain = await call(agentsRoute, "/api/agents", { method: "POST", token, body: { name: "Nova", role: "Research" } });
    expect(plain.json.agent).toMatchObject({ status: "offline", avatarColor: expect.stringMatching(/^#[0-9a-f]{6}$/i) });

    const list = await call(agentsRoute, "/api/agents", { token });
    expect(list.json.agents.map((a: { name: string }) => a.name)).toEqual(["Nova", "Patch"]);

    const busy = await call(agentRoute, `/api/agents/${agent.id}`, { method: "PATCH", token, params: { id: agent.id }, body: { status: "busy" } });
    expect(busy.status).toBe(200);
    expect(busy.json.agent).toMatchObject({ id: agent.id, status: "busy", name: "Patch" });
    expect(busy.json.agent.lastActive).toBeGreaterThanOrEqual(agent.lastActive);

    const before = await countRows("agents", org.id);
    const invalid = await call(agentsRoute, "/api/agents", { method: "POST", token, body: { name: "", role: "Boss", avatarColor: "blue" } });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.json.error.details).sort()).toEqual(["avatarColor", "name", "role"]);
    expect(await countRows("agents", org.id)).toBe(before);

    const badPatch = await call(agentRoute, `/api/agents/${agent.id}`, { method: "PATCH", token, params: { id: agent.id }, body: { status: "asleep" } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.json.error.details).toHaveProperty("status");
  });
});

describe("GET /api/events", () => {
  let token: string;
  let all: Array<{ id: string; type: string; timestamp: number }>;

  beforeAll(async () => {
    const owner = await orgWithToken("events");
    token = owner.token;
    for (const title of ["one", "two", "three", "four"]) {
      await call(tasksRoute, "/api/tasks", { method: "POST", token, body: { title } });
    }
    all = (await call(eventsRoute, "/api/events?limit=1000", { token })).json.events;
  });

  it("returns the newest events first in the BACKEND_SPEC shape, 100 by default", async () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
    const ids = all.map((e) => BigInt(e.id));
    expect([...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(ids);
    expect(Object.keys(all[0]!).sort()).toEqual(["actor", "agentId", "id", "message", "taskId", "timestamp", "type"]);
    expect(all[0]).toMatchObject({ type: "task_created", message: "events agent created task: four", agentId: null, timestamp: expect.any(Number) });

    const limited = await call(eventsRoute, "/api/events?limit=2", { token });
    expect(limited.json.events).toEqual(all.slice(0, 2));
    const byDefault = await call(eventsRoute, "/api/events", { token });
    expect(byDefault.json.events).toEqual(all.slice(0, 100));
    expect(byDefault.json.nextCursor).toBeNull();
  });

  it("returns only events strictly after `since`", async () => {
    const oldest = all[all.length - 1]!;
    const expected = all.filter((e) => e.timestamp > oldest.timestamp);
    const res = await call(eventsRoute, `/api/events?since=${oldest.timestamp}`, { token });
    expect(res.status).toBe(200);
    expect(res.json.events).toEqual(expected);
    expect(res.json.events.some((e: { id: string }) => e.id === oldest.id)).toBe(false);

    const newest = all[0]!;
    expect((await call(eventsRoute, `/api/events?since=${newest.timestamp}`, { token })).json.events).toEqual([]);
    expect((await call(eventsRoute, "/api/events?since=0&limit=1", { token })).json.events).toEqual([newest]);
  });

  it("answers 400 to bad limit and since values", async () => {
    for (const query of ["limit=0", "limit=1001", "limit=abc", "limit=2.5", "limit=-1", "since=yesterday", "since=-5", "since=99999999999999999"]) {
      const res = await call(eventsRoute, `/api/events?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe("validation_failed");
      expect(Object.keys(res.json.error.details)).toEqual([query.split("=")[0]]);
    }
  });
});
