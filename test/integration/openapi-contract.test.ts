import { randomUUID } from "node:crypto";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/auth/session.server";
import { createApiToken } from "~/models/api-token.server";
import { apiRouteFiles, callRoute, openApiPathOf, routeModule, type ApiAnswer, type ApiCall } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg, PASSWORD } from "../support/fixtures";

useTestDatabase();

/*
 * The contract between /api/openapi.json and the routes: every documented operation is called (a
 * success and an error case), and each answer's status must be documented and its body must match
 * the document's schema for that status (JSON Schema 2020-12, as OpenAPI 3.1 uses). Answers are
 * closed objects, so a field the document does not describe fails here as much as a missing one.
 */

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"];
/** Non-API routes the document describes, by path (api.* files are found by name). */
const OTHER_ROUTE_FILES: Record<string, string> = { "/health": "health.ts", "/ready": "ready.ts" };

let doc: Doc;
let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();

function validatorFor(pathName: string, method: string, status: string): ValidateFunction | null {
  const key = `${method} ${pathName} ${status}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const schema = doc.paths[pathName]?.[method]?.responses[status]?.content?.["application/json"]?.schema;
  if (!schema) return null;
  // The response schema with the document's components beside it, so its "#/components/…" refs resolve.
  const validate = ajv.compile({ ...schema, components: doc.components });
  validators.set(key, validate);
  return validate;
}

/** Calls one documented operation and checks the answer against the document. */
async function checked(pathName: string, method: string, url: string, call: ApiCall = {}): Promise<ApiAnswer> {
  const file = OTHER_ROUTE_FILES[pathName] ?? apiRouteFiles().find((name) => openApiPathOf(name) === pathName);
  if (!file) throw new Error(`No route file serves ${pathName}`);
  const answer = await callRoute(routeModule(file), url, { ...call, method: method.toUpperCase() });
  const where = `${method.toUpperCase()} ${url} → ${answer.status} ${answer.text.slice(0, 300)}`;
  const operation = doc.paths[pathName]![method]!;
  // a 5xx is a bug, unless the document promises it (GET /ready answers 503 while not ready)
  if (!operation.responses[String(answer.status)]) expect(answer.status, where).toBeLessThan(500);
  expect(Object.keys(operation.responses), `${where}: status not documented`).toContain(String(answer.status));
  expect(answer.headers.get("Content-Type"), where).toMatch(/^application\/json/);
  const validate = validatorFor(pathName, method, String(answer.status));
  expect(validate, `${where}: no schema documented`).not.toBeNull();
  const valid = validate!(answer.json);
  expect(valid ? [] : validate!.errors, where).toEqual([]);
  return answer;
}

const covered = new Set<string>();
const cover = (pathName: string, method: string, kind: "success" | "error") => covered.add(`${kind} ${method} ${pathName}`);

beforeAll(async () => {
  const res = await callRoute(routeModule("api.openapi[.]json.ts"), "/api/openapi.json");
  doc = res.json as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
});

describe("/api/openapi.json", () => {
  it("describes every API route file, and every path it describes is served by a route", () => {
    const routePaths = apiRouteFiles().map(openApiPathOf);
    const documented = Object.keys(doc.paths);
    expect(routePaths.filter((p) => !documented.includes(p)), "route files with no entry in the document").toEqual([]);
    const served = [...routePaths, ...Object.keys(OTHER_ROUTE_FILES)];
    expect(documented.filter((p) => !served.includes(p)), "documented paths no route serves").toEqual([]);
  });

  it("gives request-body examples that its own schemas accept", () => {
    let examples = 0;
    for (const [pathName, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const media = (operation as { requestBody?: { content: Record<string, { schema: object; example?: unknown }> } }).requestBody?.content["application/json"];
        if (!media || media.example === undefined) continue;
        const validate = ajv.compile({ ...media.schema, components: doc.components });
        expect(validate(media.example) ? [] : validate.errors, `${method} ${pathName}`).toEqual([]);
        examples++;
      }
    }
    expect(examples).toBeGreaterThanOrEqual(7);
  });

  it("rejects an answer with an undocumented field or without a required one (the check is strict)", () => {
    const validate = validatorFor("/api/tasks/{id}", "get", "200")!;
    const task = {
      id: randomUUID(),
      title: "t",
      description: "",
      status: "todo",
      assignedAgent: null,
      priority: "low",
      createdAt: 1,
      updatedAt: 1,
      createdBy: "x",
      tags: [],
      boardId: randomUUID(),
      dueDate: null,
    };
    expect(validate({ task })).toBe(true);
    expect(validate({ task: { ...task, secret: "leaked" } })).toBe(false);
    const { createdBy: _omitted, ...missing } = task;
    expect(validate({ task: missing })).toBe(false);
  });
});

describe("every documented operation answers what the document says", () => {
  let owner: string;
  let member: string;
  let ids: { task: string; agent: string; gateway: string; spareTask: string; spareGateway: string };
  let username: string;

  beforeAll(async () => {
    const { user, org, actor } = await ownerWithOrg("contract");
    username = user.username;
    owner = (await createSession({ userId: user.id, activeOrgId: org.id })).token;
    member = (await createApiToken({ orgId: org.id, name: "contract agent", actor })).token;
    const post = async (pathName: string, body: unknown) => (await checked(pathName, "post", pathName, { token: owner, body })).json as Record<string, { id: string }>;
    const agent = (await post("/api/agents", { name: "Patch", role: "Dev" })).agent!.id;
    ids = {
      agent,
      task: (await post("/api/tasks", { title: "contract", assignedAgent: agent, tags: ["x"], dueDate: "2026-12-31" })).task!.id,
      spareTask: (await post("/api/tasks", { title: "to delete" })).task!.id,
      gateway: (await post("/api/gateways", { name: "Home", url: "ws://127.0.0.1:9", token: "secret" })).gateway!.id,
      spareGateway: (await post("/api/gateways", { name: "Spare", url: "ws://127.0.0.1:10" })).gateway!.id,
    };
    cover("/api/agents", "post", "success");
    cover("/api/tasks", "post", "success");
    cover("/api/gateways", "post", "success");
  });

  it("login", async () => {
    const ok = await checked("/api/auth/login", "post", "/api/auth/login", { body: { username, password: PASSWORD } });
    expect(ok.status).toBe(200);
    const wrong = await checked("/api/auth/login", "post", "/api/auth/login", { body: { username, password: "not it" }, clientIp: "203.0.113.9" });
    expect(wrong.status).toBe(401);
    const bad = await checked("/api/auth/login", "post", "/api/auth/login", { body: { username } });
    expect(bad.status).toBe(400);
    cover("/api/auth/login", "post", "success");
    cover("/api/auth/login", "post", "error");
  });

  it("tasks", async () => {
    const first = await checked("/api/tasks", "get", "/api/tasks?limit=1", { token: owner });
    const cursor = (first.json as { nextCursor: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const last = await checked("/api/tasks", "get", `/api/tasks?limit=1&cursor=${cursor}`, { token: owner });
    expect((last.json as { nextCursor: null }).nextCursor).toBeNull();
    expect((await checked("/api/tasks", "get", "/api/tasks?cursor=bm90LWEtY3Vyc29y", { token: owner })).status).toBe(400);
    expect((await checked("/api/tasks", "get", "/api/tasks")).status).toBe(401);
    expect((await checked("/api/tasks", "post", "/api/tasks", { token: owner, body: { title: "" } })).status).toBe(400);
    expect((await checked("/api/tasks", "post", "/api/tasks", { token: owner, body: { title: "x", boardId: randomUUID() } })).status).toBe(404);

    const one = `/api/tasks/${ids.task}`;
    const params = { id: ids.task };
    expect((await checked("/api/tasks/{id}", "get", one, { token: owner, params })).status).toBe(200);
    expect((await checked("/api/tasks/{id}", "get", "/api/tasks/nope", { token: owner, params: { id: "nope" } })).status).toBe(404);
    expect((await checked("/api/tasks/{id}", "patch", one, { token: owner, params, body: { status: "done", tags: [] } })).status).toBe(200);
    expect((await checked("/api/tasks/{id}", "patch", one, { token: owner, params, body: {} })).status).toBe(400);
    const spare = { id: ids.spareTask };
    expect((await checked("/api/tasks/{id}", "delete", `/api/tasks/${ids.spareTask}`, { token: owner, params: spare })).status).toBe(200);
    expect((await checked("/api/tasks/{id}", "delete", `/api/tasks/${ids.spareTask}`, { token: owner, params: spare })).status).toBe(404);
    for (const method of ["get", "post"]) for (const kind of ["success", "error"] as const) cover("/api/tasks", method, kind);
    for (const method of ["get", "patch", "delete"]) for (const kind of ["success", "error"] as const) cover("/api/tasks/{id}", method, kind);
  });

  it("agents", async () => {
    expect((await checked("/api/agents", "get", "/api/agents", { token: owner })).status).toBe(200);
    expect((await checked("/api/agents", "get", "/api/agents", { token: "mc_unknown" })).status).toBe(401);
    expect((await checked("/api/agents", "post", "/api/agents", { token: owner, body: { name: "Nova", role: "Boss" } })).status).toBe(400);
    const one = `/api/agents/${ids.agent}`;
    const params = { id: ids.agent };
    expect((await checked("/api/agents/{id}", "get", one, { token: owner, params })).status).toBe(200);
    expect((await checked("/api/agents/{id}", "get", `/api/agents/${randomUUID()}`, { token: owner, params: { id: randomUUID() } })).status).toBe(404);
    expect((await checked("/api/agents/{id}", "patch", one, { token: owner, params, body: { status: "busy" } })).status).toBe(200);
    expect((await checked("/api/agents/{id}", "patch", one, { token: owner, params, body: { status: "asleep" } })).status).toBe(400);
    for (const method of ["get", "post"]) for (const kind of ["success", "error"] as const) cover("/api/agents", method, kind);
    for (const method of ["get", "patch"]) for (const kind of ["success", "error"] as const) cover("/api/agents/{id}", method, kind);
  });

  it("events", async () => {
    const first = await checked("/api/events", "get", "/api/events?limit=2", { token: owner });
    const cursor = (first.json as { nextCursor: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expect((await checked("/api/events", "get", `/api/events?limit=2&cursor=${cursor}`, { token: owner })).status).toBe(200);
    expect((await checked("/api/events", "get", "/api/events?limit=0", { token: owner })).status).toBe(400);
    cover("/api/events", "get", "success");
    cover("/api/events", "get", "error");
  });

  it("gateways (admin)", async () => {
    expect((await checked("/api/gateways", "get", "/api/gateways", { token: owner })).status).toBe(200);
    // members and viewers read gateways without where they are or their raw errors
    const listed = await checked("/api/gateways", "get", "/api/gateways", { token: member });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain("127.0.0.1");
    expect((await checked("/api/gateways", "post", "/api/gateways", { token: owner, body: { name: "x", url: "http://nope" } })).status).toBe(400);
    // the same gateway again (another spelling of its URL), and a metadata address
    expect((await checked("/api/gateways", "post", "/api/gateways", { token: owner, body: { name: "Again", url: "WS://127.0.0.1:9/" } })).status).toBe(409);
    expect((await checked("/api/gateways", "post", "/api/gateways", { token: owner, body: { name: "Meta", url: "ws://169.254.169.254" } })).status).toBe(400);
    const one = `/api/gateways/${ids.gateway}`;
    const params = { id: ids.gateway };
    expect((await checked("/api/gateways/{id}", "get", one, { token: owner, params })).status).toBe(200);
    const seen = await checked("/api/gateways/{id}", "get", one, { token: member, params });
    expect(seen.status).toBe(200);
    expect(seen.json).not.toHaveProperty("gateway.url");
    expect((await checked("/api/gateways/{id}", "patch", one, { token: member, params, body: { pollIntervalSeconds: 60 } })).status).toBe(403);
    // a new origin without the token again: refused, and the stored URL stays
    expect((await checked("/api/gateways/{id}", "patch", one, { token: owner, params, body: { url: "ws://127.0.0.2:9" } })).status).toBe(422);
    expect((await checked("/api/gateways/{id}", "patch", one, { token: owner, params, body: { pollIntervalSeconds: 60, token: null } })).status).toBe(200);
    expect((await checked("/api/gateways/{id}", "patch", one, { token: owner, params, body: { pollIntervalSeconds: 1 } })).status).toBe(400);
    expect((await checked("/api/gateways/{id}", "patch", one, { token: owner, params, body: { url: "ws://127.0.0.1:10" } })).status).toBe(409);
    const spare = { id: ids.spareGateway };
    expect((await checked("/api/gateways/{id}", "delete", `/api/gateways/${ids.spareGateway}`, { token: owner, params: spare })).status).toBe(200);
    expect((await checked("/api/gateways/{id}", "delete", `/api/gateways/${ids.spareGateway}`, { token: owner, params: spare })).status).toBe(404);
    for (const method of ["get", "post"]) for (const kind of ["success", "error"] as const) cover("/api/gateways", method, kind);
    for (const method of ["get", "patch", "delete"]) for (const kind of ["success", "error"] as const) cover("/api/gateways/{id}", method, kind);
  });

  it("the document itself, health and readiness", async () => {
    expect((await checked("/api/openapi.json", "get", "/api/openapi.json")).status).toBe(200);
    expect((await checked("/health", "get", "/health")).status).toBe(200);
    // this test process runs no realtime hub, so readiness may say not-ready: either answer must match
    expect([200, 503]).toContain((await checked("/ready", "get", "/ready")).status);
    for (const pathName of ["/api/openapi.json", "/health", "/ready"]) cover(pathName, "get", "success");
  });

  it("left no documented operation uncalled (a success, and an error where the document lists one)", () => {
    const missing: string[] = [];
    for (const [pathName, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item).filter((key) => HTTP_METHODS.includes(key))) {
        if (!covered.has(`success ${method} ${pathName}`)) missing.push(`success ${method} ${pathName}`);
        const documentsErrors = Object.keys(item[method]!.responses).some((status) => status.startsWith("4"));
        if (documentsErrors && !covered.has(`error ${method} ${pathName}`)) missing.push(`error ${method} ${pathName}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
