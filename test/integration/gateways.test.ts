import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { nextLiveEvent } from "../support/live-events";
import { ROUTE_ARGS } from "../support/requests";
import { db } from "~/db/data-source.server";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { GatewayRuntime } from "~/ingest/gateway-runtime.server";
import { startHub, stopHub } from "~/realtime/hub.server";
import { createGateway, deleteGateway, getGateway, openGatewayToken, updateGateway } from "~/models/gateway.server";
import { createAgent, listAgents } from "~/models/agent.server";
import { createSession } from "~/auth/session.server";
import { createApiToken } from "~/models/api-token.server";
import { startJobs, stopJobs, getBoss } from "../../jobs/boss.server";
import { pgBossPoller } from "../../jobs/poll-gateway.server";
import * as gatewaysApi from "~/routes/api.gateways";
import * as gatewayApi from "~/routes/api.gateways.$id";

const database = useTestDatabase();
let fake: FakeGateway;
const runtimes: GatewayRuntime[] = [];

beforeAll(async () => {
  await startHub(database.url);
  await startJobs(database.url);
  fake = await FakeGateway.start();
});

afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop();
  await fake?.close();
  await stopJobs();
  await stopHub();
});

function newRuntime(withJobs = true) {
  const runtime = new GatewayRuntime({ databaseUrl: database.url, ...(withJobs ? { poller: pgBossPoller(getBoss()!) } : {}), reconcileMs: 60_000 });
  runtimes.push(runtime);
  return runtime;
}

async function api(route: { loader?: Function; action?: Function }, url: string, token: string, init: { method?: string; body?: unknown; id?: string } = {}) {
  const method = init.method ?? "GET";
  const request = new Request(`http://localhost${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const fn = method === "GET" ? route.loader! : route.action!;
  // Remix sends a thrown Response as it is (validation errors and 401/403 are thrown).
  const response = (await Promise.resolve(fn({ request, params: init.id ? { id: init.id } : {}, ...ROUTE_ARGS })).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  })) as Response;
  return { status: response.status, text: await response.clone().text(), json: (await response.json()) as any };
}

describe("gateway registry", () => {
  it("keeps the token encrypted at rest and never returns it; admins only", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const { token: session } = await createSession({ userId: user.id, activeOrgId: org.id });
    const secret = "super-secret-gateway-token-123";
    const created = await api(gatewaysApi, "/api/gateways", session, { method: "POST", body: { name: "Home", url: "ws://127.0.0.1:1", token: secret } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(secret);
    expect(created.json.gateway).toMatchObject({ name: "Home", tokenSet: true, state: "connecting", pollIntervalSeconds: 30 });
    const id = created.json.gateway.id;
    const raw: Array<{ token_encrypted: string }> = await db().query("select token_encrypted from gateways where id = $1", [id]);
    expect(raw[0]!.token_encrypted).not.toContain(secret);
    expect(openGatewayToken((await getGateway({ orgId: org.id, id }))!)).toBe(secret);

    const list = await api(gatewaysApi, "/api/gateways", session);
    expect(list.text).not.toContain(secret);
    const cleared = await api(gatewayApi, `/api/gateways/${id}`, session, { method: "PATCH", id, body: { token: null } });
    expect(cleared.json.gateway.tokenSet).toBe(false);

    const bad = await api(gatewaysApi, "/api/gateways", session, { method: "POST", body: { name: "x", url: "http://nope" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.url[0]).toContain("WebSocket URL");

    const { token: memberToken } = await createApiToken({ orgId: org.id, name: "bot", actor });
    // members (and viewers) see name, state and figures, not where the gateway is or its raw errors
    const asMember = await api(gatewaysApi, "/api/gateways", memberToken);
    expect(asMember.status).toBe(200);
    expect(asMember.json.gateways[0]).toMatchObject({ id, name: "Home", state: expect.any(String) });
    expect(asMember.json.gateways[0]).not.toHaveProperty("url");
    expect(asMember.json.gateways[0]).not.toHaveProperty("deviceId");
    expect(asMember.json.gateways[0]).not.toHaveProperty("lastError");
    expect((await api(gatewayApi, `/api/gateways/${id}`, memberToken, { method: "PATCH", id, body: { name: "x" } })).status).toBe(403);

    const other = await ownerWithOrg("other");
    const { token: otherSession } = await createSession({ userId: other.user.id, activeOrgId: other.org.id });
    expect((await api(gatewayApi, `/api/gateways/${id}`, otherSession, { id })).status).toBe(404);
    expect((await api(gatewayApi, `/api/gateways/${id}`, otherSession, { method: "DELETE", id })).status).toBe(404);
  });
});

describe("a stored token never follows a changed address", () => {
  it("refuses a URL on another origin without the token, writes nothing, and never sends the old token there", async () => {
    const { user, org, actor } = await ownerWithOrg("origin");
    const { token: session } = await createSession({ userId: user.id, activeOrgId: org.id });
    const secret = "the-token-stored-for-the-first-host";
    const created = await api(gatewaysApi, "/api/gateways", session, { method: "POST", body: { name: "Origin", url: "ws://127.0.0.1:9/a", token: secret } });
    const id = created.json.gateway.id;
    const before = await getGateway({ orgId: org.id, id });

    // a listener on another port stands for "the attacker's host": it records whatever connects
    const listener = await FakeGateway.start({ token: "whatever" });
    try {
      const refused = await api(gatewayApi, `/api/gateways/${id}`, session, { method: "PATCH", id, body: { url: listener.url } });
      expect(refused.status).toBe(422);
      expect(refused.json.error).toMatchObject({ code: "token_required", message: expect.stringContaining("token again") });
      const after = await getGateway({ orgId: org.id, id });
      expect(after!.url).toBe("ws://127.0.0.1:9/a");
      expect(after!.tokenEncrypted).toBe(before!.tokenEncrypted);
      expect(after!.updatedAt.getTime()).toBe(before!.updatedAt.getTime());

      // the same origin (another path, the default form of the port) keeps the token
      const samePlace = await api(gatewayApi, `/api/gateways/${id}`, session, { method: "PATCH", id, body: { url: "ws://127.0.0.1:9/b" } });
      expect(samePlace.status).toBe(200);
      expect(openGatewayToken((await getGateway({ orgId: org.id, id }))!)).toBe(secret);

      // with the token entered again the move is allowed, and only the new token reaches the new host
      const runtime = newRuntime(false);
      await runtime.start();
      const moved = await api(gatewayApi, `/api/gateways/${id}`, session, { method: "PATCH", id, body: { url: listener.url, token: "the-new-hosts-own-token" } });
      expect(moved.status).toBe(200);
      await runtime.reconcile();
      const connected = runtime.connectionFor(id)!;
      await connected.waitFor((status) => status.state !== "connecting" && status.state !== "idle", 10_000);
      const sent = listener.clients.map((client) => JSON.stringify(client.connectParams));
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.join("\n")).not.toContain(secret);
      expect(sent.join("\n")).toContain("the-new-hosts-own-token");
      await runtime.stop();
      runtimes.splice(runtimes.indexOf(runtime), 1);
    } finally {
      await listener.close();
    }

    // the form path answers the same through the model: a domain error on the token field
    await expect(updateGateway({ orgId: org.id, id, input: { url: "wss://gateway.example.com" }, actor })).rejects.toMatchObject({ status: 422, field: "token" });
  });
});

describe("gateway runtime", () => {
  it("connects, discovers agents, polls into snapshots, and exactly one process owns the gateway", async () => {
    const { org, actor } = await ownerWithOrg("rt");
    const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { state: string }).state === "online");
    const polled = nextLiveEvent((e) => e.type === "gateway.polled");
    const discovered = nextLiveEvent((e) => e.orgId === org.id && e.type === "agent.created");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Fake", url: fake.url, token: fake.token, pollIntervalSeconds: 60 }, actor });

    const first = newRuntime();
    const second = newRuntime(false);
    await first.start();
    await second.start();
    expect(first.ownedIds()).toContain(gateway.id);
    expect(second.ownedIds()).not.toContain(gateway.id);

    const status = await online;
    expect(status.data.gateway).toMatchObject({ id: gateway.id, state: "online", serverVersion: expect.any(String) });
    expect(JSON.stringify(status.data)).not.toContain(fake.token);

    const poll = await polled;
    expect(poll.data.kinds).toEqual(expect.arrayContaining(["health", "status", "sessions", "usage.cost", "cron", "models"]));
    const kinds: Array<{ kind: string }> = await db().query("select kind from gateway_snapshots where gateway_id = $1 order by kind", [gateway.id]);
    expect(kinds.map((k) => k.kind)).toEqual(["cron", "health", "models", "sessions", "sessions.usage", "status", "usage.cost"]);
    const days: Array<{ count: number }> = await db().query("select count(*)::int as count from gateway_usage_daily where gateway_id = $1", [gateway.id]);
    expect(days[0]!.count).toBeGreaterThan(0);

    await discovered;
    const agents = (await listAgents(org.id)).filter((a) => a.gatewayId === gateway.id);
    expect(agents.map((a) => ({ externalId: a.externalId, source: a.source, status: a.status }))).toEqual([{ externalId: "main", source: "gateway", status: "online" }]);

    // a run makes the agent busy, its end online again
    const busy = nextLiveEvent((e) => e.type === "agent.status_changed" && (e.data.agent as { status: string }).status === "busy");
    fake.broadcast({ type: "event", event: "agent", payload: { runId: "r1", sessionKey: "agent:main:x", agentId: "main", stream: "lifecycle", data: { phase: "start" } } } as never);
    await busy;
    const idle = nextLiveEvent((e) => e.type === "agent.status_changed" && (e.data.agent as { status: string }).status === "online");
    fake.broadcast({ type: "event", event: "agent", payload: { runId: "r1", sessionKey: "agent:main:x", stream: "lifecycle", data: { phase: "end" } } } as never);
    await idle;

    // the owner goes away: the other process takes the gateway over on its next reconcile
    await first.stop();
    await second.reconcile();
    expect(second.ownedIds()).toContain(gateway.id);
  });

  it("keeps discovered agents in sync, leaves hand-made ones alone, and a failing method does not stop the poll", async () => {
    // the runtimes of earlier tests would race this one for the new gateway
    for (const earlier of runtimes.splice(0)) await earlier.stop();
    const { org, actor } = await ownerWithOrg("sync");
    const manual = await createAgent({ orgId: org.id, name: "Hand made", role: "Ops", actor });
    const gateway = await createGateway({ orgId: org.id, input: { name: "Sync", url: fake.url, token: fake.token, pollIntervalSeconds: 60 }, actor });
    const roster = [
      { id: "main", name: "Main" },
      { id: "scout", name: "Scout" },
    ];
    fake.handlers.set("agents.list", () => ({ ok: true, payload: { defaultId: "main", mainKey: "main", agents: roster } }));
    fake.handlers.set("cron.list", () => ({ ok: false, error: { code: "UNAVAILABLE", message: "cron is disabled" } }));
    const polled = nextLiveEvent((e) => e.type === "gateway.polled" && e.data.gatewayId === gateway.id);
    const discovered = nextLiveEvent((e) => e.orgId === org.id && e.type === "agent.created" && (e.data.agent as { name: string }).name === "Scout");
    const runtime = newRuntime();
    await runtime.start();
    await discovered;
    const poll = await polled;
    expect(poll.data.errors).toMatchObject({ cron: expect.stringContaining("cron is disabled") });
    expect(poll.data.kinds).toEqual(expect.arrayContaining(["health", "sessions", "usage.cost"]));
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.lastPollError).toContain("cron is disabled");

    const names = async () =>
      (await listAgents(org.id)).map((a) => `${a.name}:${a.source}:${a.status}`).sort();
    expect(await names()).toEqual(["Hand made:manual:offline", "Main:gateway:online", "Scout:gateway:online"]);

    // renamed and removed on the gateway: the next discovery (on reconnect) follows
    roster.splice(0, roster.length, { id: "main", name: "Main Renamed" });
    // discovery renames, then the agents listed come back online (the fake serves one roster to every
    // gateway connected to it, so only this organization's events count)
    const reconnected = nextLiveEvent(
      (e) =>
        e.orgId === org.id &&
        e.type === "agent.status_changed" &&
        (e.data.agent as { name: string; status: string }).name === "Main Renamed" &&
        (e.data.agent as { status: string }).status === "online",
    );
    fake.dropAll();
    await reconnected;
    expect(await names()).toEqual(["Hand made:manual:offline", "Main Renamed:gateway:online", "Scout:gateway:offline"]);
    expect((await listAgents(org.id)).find((a) => a.id === manual.id)?.name).toBe("Hand made");
    fake.handlers.delete("agents.list");
    fake.handlers.delete("cron.list");
  });

  it("reports a rejected token as unauthorized with a sentence", async () => {
    const { org, actor } = await ownerWithOrg("bad");
    const runtime = newRuntime(false);
    const unauthorized = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { state: string }).state === "unauthorized");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Wrong token", url: fake.url, token: "definitely-wrong" }, actor });
    await runtime.start();
    const event = await unauthorized;
    expect((event.data.gateway as { id: string }).id).toBe(gateway.id);
    // the live event is the public view (every member's stream carries it); admins read the sentence
    expect(event.data.gateway).not.toHaveProperty("lastError");
    expect(event.data.gateway).not.toHaveProperty("url");
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.lastError).toMatch(/token/i);
    // the feed every member reads says what happened, without the gateway's raw words or address
    const feed: Array<{ message: string }> = await db().query(`select message from activity_events where org_id = $1 and type = 'gateway_status_changed'`, [org.id]);
    expect(feed.map((row) => row.message)).toEqual(["Gateway Wrong token is unauthorized"]);
  });
});

describe("one gateway once", () => {
  it("refuses a second gateway at the same URL in any spelling, in the model, the API and on edit; another organization may have it", async () => {
    const { user, org, actor } = await ownerWithOrg("once");
    const first = await createGateway({ orgId: org.id, input: { name: "Home", url: "ws://Gateway.Example:18789/", token: null }, actor });
    await expect(createGateway({ orgId: org.id, input: { name: "Copy", url: "WS://gateway.example.:18789", token: null }, actor })).rejects.toMatchObject({
      status: 409,
      code: "gateway_exists",
      field: "url",
      message: expect.stringContaining(`already registered as "Home" (/gateways/${first.id})`),
    });

    const { token } = await createSession({ userId: user.id, activeOrgId: org.id });
    const posted = await api(gatewaysApi, "/api/gateways", token, { method: "POST", body: { name: "Copy", url: "ws://gateway.example:18789" } });
    expect(posted.status).toBe(409);
    expect(posted.json.error.code).toBe("gateway_exists");
    expect(posted.json.error.details.existingGateway).toEqual({ id: first.id, name: "Home", path: `/gateways/${first.id}` });

    const second = await api(gatewaysApi, "/api/gateways", token, { method: "POST", body: { name: "Other", url: "ws://gateway.example:18790" } });
    expect(second.status).toBe(201);
    const moved = await api(gatewayApi, `/api/gateways/${second.json.gateway.id}`, token, { method: "PATCH", id: second.json.gateway.id, body: { url: "ws://gateway.example:18789/" } });
    expect(moved.status).toBe(409);
    expect((await getGateway({ orgId: org.id, id: second.json.gateway.id }))?.url).toBe("ws://gateway.example:18790");

    const other = await ownerWithOrg("once-other");
    await expect(createGateway({ orgId: other.org.id, input: { name: "Theirs", url: "ws://gateway.example:18789", token: null }, actor: other.actor })).resolves.toBeTruthy();
  });

  it("two adds of one URL at once: the unique index lets one through and the other gets the same sentence", async () => {
    const { org, actor } = await ownerWithOrg("race");
    const results = await Promise.allSettled([0, 1, 2].map((i) => createGateway({ orgId: org.id, input: { name: `Race ${i}`, url: "ws://race.example:1", token: null }, actor })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) expect(r.reason).toMatchObject({ status: 409, code: "gateway_exists" });
  });

  it("refuses link-local and metadata addresses and credentials in the URL, at create and update, with a 400 and nothing written", async () => {
    const { user, org } = await ownerWithOrg("outbound");
    const { token } = await createSession({ userId: user.id, activeOrgId: org.id });
    for (const url of ["ws://169.254.169.254", "ws://0xa9fea9fe:80", "ws://[::ffff:169.254.169.254]:1", "ws://metadata.google.internal", "ws://user:secret@127.0.0.1:1"]) {
      const answer = await api(gatewaysApi, "/api/gateways", token, { method: "POST", body: { name: "Bad", url } });
      expect(answer.status, url).toBe(400);
      expect(answer.json.error.code, url).toBe("url_refused");
      expect(answer.text).not.toContain("secret");
    }
    const listed = await api(gatewaysApi, "/api/gateways", token);
    expect(listed.json.gateways).toHaveLength(0);
    const ok = await api(gatewaysApi, "/api/gateways", token, { method: "POST", body: { name: "Loopback", url: "ws://127.0.0.1:1" } });
    expect(ok.status).toBe(201);
    const patched = await api(gatewayApi, `/api/gateways/${ok.json.gateway.id}`, token, { method: "PATCH", id: ok.json.gateway.id, body: { url: "ws://[fe80::1]:1" } });
    expect(patched.status).toBe(400);
    expect(patched.json.error.message).toMatch(/link-local or cloud metadata/);
  });

  it("a second row reaching the same gateway (same identity, another URL) is marked a duplicate and nothing is ingested for it; deleting the first promotes it", async () => {
    const { org, actor } = await ownerWithOrg("identity");
    const runtime = newRuntime(false);
    const firstOnline = nextLiveEvent((e) => e.type === "agent.created");
    const first = await createGateway({ orgId: org.id, input: { name: "By address", url: fake.url, token: fake.token }, actor });
    await runtime.start();
    await firstOnline;
    const agentsBefore = (await listAgents(org.id)).filter((a) => a.gatewayId === first.id).length;
    expect(agentsBefore).toBeGreaterThan(0);

    const flagged = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { duplicateOf: string | null }).duplicateOf === first.id);
    const second = await createGateway({ orgId: org.id, input: { name: "By name", url: fake.url.replace("127.0.0.1", "localhost"), token: fake.token }, actor });
    const event = await flagged;
    expect((event.data.gateway as { id: string; lastError: string }).id).toBe(second.id);
    // the live event carries the member view (no raw error); the stored row has the sentence
    expect((await getGateway({ orgId: org.id, id: second.id }))?.lastError).toContain(`same gateway as "By address" (/gateways/${first.id})`);
    await runtime.reconcile();
    expect(runtime.ownedIds()).not.toContain(second.id);
    expect((await listAgents(org.id)).filter((a) => a.gatewayId === second.id)).toHaveLength(0);
    expect((await getGateway({ orgId: org.id, id: first.id }))?.identity).toMatch(/^[0-9a-f]{64}$/);

    await deleteGateway({ orgId: org.id, id: first.id, actor });
    const promoted = await getGateway({ orgId: org.id, id: second.id });
    expect(promoted?.duplicateOf).toBeNull();
    await runtime.stop();
  });
});
