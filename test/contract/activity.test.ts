import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayConnection, generateDeviceIdentity, type EventFrame } from "~/gateway";
import { launchBrowser } from "../support/browser";
import { startGateway, type StartedGateway } from "../support/openclaw-harness";
import { apiSignIn, startServer, type StartedServer } from "../support/server";
import { openEvents, type Frame, type FrameReader } from "../support/sse";

/*
 * Agent activity end to end: a real OpenClaw gateway (2026.9.6, mock model) runs a turn with a tool
 * call that another client starts with chat.send; the app, connected to that gateway, normalizes the
 * gateway's events into agent activity, and an SSE client of the app sees each step as `event.new`
 * with the record's own time. The mock model calls a tool when the message says
 * `TOOL:<name> ARGS:<json>` (scripts/openclaw-mock-model.mjs); `ls` runs without approval.
 */
const USER = "activity-admin";
const PASSWORD = "activity-admin-password";
const SECRET = "contract-activity-secret-key-0123456789";
const env = { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_GATEWAY_RECONCILE_MS: "500", MC_SECRET_KEY: SECRET };
const TOOL = "ls";
const TOOL_ARGS = { path: "." };

let gateway: StartedGateway;
let server: StartedServer;
let db: pg.Client;
let session = "";
let gatewayId = "";
let events: FrameReader;
let operator: GatewayConnection | undefined;
const controller = new AbortController();
const figures: Record<string, string> = {};

interface ApiEvent {
  id: string;
  type: string;
  message: string;
  agentId: string | null;
  timestamp: number;
  actor: { type: string; name: string };
}

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(server.url + path, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${session}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as any };
}

const forGateway = (event: string, state?: string) => (frame: Frame) => {
  if (frame.event !== event || !frame.data) return false;
  const data = JSON.parse(frame.data);
  const id = data.gateway?.id ?? data.gatewayId;
  return id === gatewayId && (state === undefined || data.gateway?.state === state);
};

interface Received {
  event: ApiEvent;
  receivedAt: number;
  /** the stored row's data: sessionKey, kind, tool, summary, text… (the frame carries the API shape only) */
  data: Record<string, any>;
}

const BEFORE = { sessionKey: `agent:main:mc-before-${randomBytes(4).toString("hex")}`, message: "hello from before mission control" };

/** The turn, run once by the first test; the others read what it saw. */
const turn = {
  sessionKey: `agent:main:mc-contract-${randomBytes(6).toString("hex")}`,
  sentAt: 0,
  received: [] as Received[],
  /** what the gateway itself sent the operator client for this session, to compare times with */
  seen: [] as EventFrame[],
};

/** The index of each expected type in `received`, each after the previous one (-1 from there on if missing). */
function inOrder(received: Received[], expected: string[], accept: (r: Received) => boolean = () => true): number[] {
  const indexes: number[] = [];
  let from = 0;
  for (const type of expected) {
    const index = from === -1 ? -1 : received.findIndex((r, i) => i >= from && r.event.type === type && accept(r));
    indexes.push(index);
    from = index === -1 ? -1 : index + 1;
  }
  return indexes;
}

async function until<T>(what: string, read: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  [gateway, server] = await Promise.all([startGateway(), startServer({ env })]);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  session = await apiSignIn(server.url, USER, PASSWORD);
  events = await openEvents(server.url, { topics: "activity,sessions,gateways", token: session, signal: controller.signal });

  // Another operator client (as a person in the gateway's own UI would be) starts the turns.
  operator = new GatewayConnection({ url: gateway.url, token: gateway.token, identity: generateDeviceIdentity() });
  operator.start();
  await operator.waitFor("online", 20_000);
  await operator.api.sessionsSubscribe({ limit: 10 });
  operator.onEvent((frame) => {
    if ((frame.payload as { sessionKey?: string } | undefined)?.sessionKey === turn.sessionKey) turn.seen.push(frame);
  });
  // A conversation from before the app knew the gateway: only chat.history can tell it.
  await runTurnUnseen(BEFORE.sessionKey, BEFORE.message);

  const created = await api("/api/gateways", { method: "POST", body: { name: "Activity", url: gateway.url, token: gateway.token, pollIntervalSeconds: 30 } });
  expect(created.status).toBe(201);
  gatewayId = created.json.gateway.id;
  await events.next(forGateway("gateway.status", "online"), 30_000);

  // The app subscribes to session events just after it goes online; nothing it publishes says when
  // that is done (its first poll may wait a whole poll interval). A warm-up turn whose reply (only
  // sent to subscribers, as session.message) reaches the stream shows it is; it also gets the
  // gateway's first-turn set-up (workspace, context) out of the way of the measured turn.
  for (let attempt = 1; ; attempt++) {
    const key = `agent:main:mc-warmup-${randomBytes(4).toString("hex")}`;
    const received = await runTurn(key, "warm up");
    if (received.some((r) => r.event.type === "agent.message" && r.data.text === "mock reply: warm up")) break;
    if (attempt === 3) throw new Error(`the app never recorded a warm-up reply: ${received.map((r) => r.event.type).join(", ")}`);
  }
});

/** Every agent.* event.new (any session) from now until `done` says the collection is complete. */
async function collect(done: (received: Received[]) => boolean, timeoutMs = 90_000): Promise<Received[]> {
  // The frame carries the API event shape; the stored row has the rest (tool, summary, text, child…).
  const received: Received[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await events.next((f) => f.event === "event.new", Math.max(1, deadline - Date.now()));
    const receivedAt = Date.now();
    const event = JSON.parse(frame.data!).event as ApiEvent;
    if (!event.type.startsWith("agent.")) continue;
    const { rows } = await db.query("select data from activity_events where id = $1", [event.id]);
    expect(rows).toHaveLength(1);
    received.push({ event, receivedAt, data: rows[0].data });
    if (done(received)) return received;
  }
}

/** chat.send from the operator client, then every agent.* event.new of that session until its run_end. */
async function runTurn(sessionKey: string, message: string, onSent?: (sentAt: number) => void): Promise<Received[]> {
  const sentAt = Date.now();
  const sent = await operator!.api.chatSend({ sessionKey, message, idempotencyKey: randomUUID() });
  expect(sent.status).toBe("started");
  onSent?.(sentAt);
  const received = await collect((all) => all.some((r) => r.data.sessionKey === sessionKey && r.event.type === "agent.run_end"));
  return received.filter((r) => r.data.sessionKey === sessionKey);
}

/** A turn the app is not there to see: chat.send, then the gateway's own chat final for it. */
async function runTurnUnseen(sessionKey: string, message: string) {
  const final = new Promise<void>((resolve) => {
    const off = operator!.onEvent("chat", (frame) => {
      const payload = frame.payload as { sessionKey?: string; state?: string };
      if (payload.sessionKey === sessionKey && payload.state === "final") {
        off();
        resolve();
      }
    });
  });
  await operator!.api.chatSend({ sessionKey, message, idempotencyKey: randomUUID() });
  await final;
}

async function page(path: string) {
  const response = await fetch(server.url + path, { headers: { Cookie: `mc_session=${session}` } });
  expect(response.status).toBe(200);
  return response.text();
}

afterAll(async () => {
  controller.abort();
  await operator?.close().catch(() => {});
  await db?.end().catch(() => {});
  await server?.stop();
  await gateway?.stop();
  console.info(`activity contract figures:\n${Object.entries(figures).map(([key, value]) => `  ${key}: ${value}`).join("\n")}`);
});

function expectOwnTime(r: Received) {
  expect(r.event.timestamp, `${r.event.type} not before chat.send`).toBeGreaterThanOrEqual(turn.sentAt);
  expect(r.event.timestamp, `${r.event.type} not after it was received`).toBeLessThanOrEqual(r.receivedAt);
}

describe("agent activity from a real gateway", () => {
  it("streams a turn started by another client to an SSE client step by step, at the records' own times", async () => {
    turn.received = await runTurn(turn.sessionKey, `please list the workspace TOOL:${TOOL} ARGS:${JSON.stringify(TOOL_ARGS)}`, (sentAt) => {
      turn.sentAt = sentAt;
    });
    const { received, sentAt } = turn;
    figures["agent events of the turn, in stream order"] = received.map((r) => `${r.event.type} "${r.event.message}"`).join(", ");
    const toolStartAtGateway = turn.seen.find((f) => ["agent", "session.tool"].includes(f.event) && (f.payload as any).stream === "tool" && (f.payload as any).data?.phase === "start");
    if (toolStartAtGateway) figures["chat.send to the tool start event at the operator client (gateway only)"] = `${(toolStartAtGateway.payload as { ts: number }).ts - sentAt} ms (record time)`;

    const expected = ["agent.user_message", "agent.run_start", "agent.message", "agent.run_end"];
    const indexes = inOrder(received, expected, (r) => r.event.type !== "agent.message" || r.data.text === `mock done: ${TOOL}`);
    expect(indexes.every((i) => i >= 0), `${expected.join(", ")} in order, in ${received.map((r) => r.event.type).join(", ")}`).toBe(true);
    const [userMessage, runStart, reply, runEnd] = indexes.map((i) => received[i]!);
    figures["chat.send to run_end at the SSE client"] = `${runEnd!.receivedAt - sentAt} ms`;

    expect(userMessage!.data).toMatchObject({ sessionKey: turn.sessionKey, kind: "user_message", source: "gateway" });
    expect(userMessage!.data.text).toContain(`TOOL:${TOOL}`);
    expect(runStart!.data).toMatchObject({ kind: "run_start" });
    expect(reply!.event.message).toBe(`main: mock done: ${TOOL}`);
    expect(runEnd!.data).toMatchObject({ kind: "run_end" });
    expect(runEnd!.data.isError).toBeUndefined();
    for (const r of received) {
      expect(r.event.actor).toMatchObject({ type: "agent", name: "main" });
      expect(r.event.agentId).toEqual(expect.any(String));
      expectOwnTime(r);
    }
    // exactly the time the gateway stamped on the record
    const userRecord = turn.seen.find((f) => f.event === "session.message" && (f.payload as any).message?.role === "user");
    expect(userMessage!.event.timestamp).toBe((userRecord!.payload as { message: { timestamp: number } }).message.timestamp);
    const lifecycle = (phase: string) => turn.seen.find((f) => f.event === "agent" && (f.payload as any).stream === "lifecycle" && (f.payload as any).data?.phase === phase);
    expect(runStart!.event.timestamp).toBe((lifecycle("start")!.payload as any).data.startedAt ?? (lifecycle("start")!.payload as any).ts);

    // The same events through the REST API, with the same times.
    const listed = await api("/api/events?limit=200");
    expect(listed.status).toBe(200);
    const byId = new Map((listed.json.events as ApiEvent[]).map((e) => [e.id, e]));
    for (const r of received) expect(byId.get(r.event.id), r.event.type).toEqual(r.event);

    // The session on the sessions page (its server-rendered HTML): a DM on the mock model.
    const row = await until("the session on the sessions page as a DM with its model", async () => {
      const html = await page("/monitoring/sessions");
      const match = new RegExp(`<tr[^>]*data-session-key="${turn.sessionKey}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
      return match && match[1]!.includes('data-session-type="dm"') && match[1]!.includes("mock/mock-1") ? match[1]! : undefined;
    });
    expect(row).toContain(">DM</span>");
    expect(row).toContain(">main<"); // the agent
    const stored = await db.query("select type, model, gateway_id from agent_sessions where session_key = $1", [turn.sessionKey]);
    expect(stored.rows).toEqual([{ type: "dm", model: "mock/mock-1", gateway_id: gatewayId }]);
  });

  /*
   * openclaw 2026.9.6 sends the `agent` tool stream only to the connection that called chat.send;
   * a sessions.subscribe subscriber (the app) gets the same payload as `session.tool`. This turn is
   * started by another connection, so it proves the app reads `session.tool`.
   */
  it("streams the tool call: tool_start with the tool and a summary, then tool_end, between run_start and the reply", () => {
    const { received, sentAt } = turn;
    const expected = ["agent.user_message", "agent.run_start", "agent.tool_start", "agent.tool_end", "agent.message", "agent.run_end"];
    const indexes = inOrder(received, expected, (r) => r.event.type !== "agent.message" || r.data.text === `mock done: ${TOOL}`);
    expect(indexes.every((i) => i >= 0), `${expected.join(", ")} in order, in ${received.map((r) => r.event.type).join(", ")}`).toBe(true);
    const toolStart = received[indexes[2]!]!;
    const toolEnd = received[indexes[3]!]!;
    figures["chat.send to tool_start at the SSE client"] = `${toolStart.receivedAt - sentAt} ms`;
    figures["tool_start record time to the SSE client"] = `${toolStart.receivedAt - toolStart.event.timestamp} ms`;

    expect(toolStart.data).toMatchObject({ sessionKey: turn.sessionKey, kind: "tool_start", tool: TOOL, summary: expect.stringMatching(/\S/) });
    expect(toolStart.event.message).toContain(TOOL);
    expect(toolEnd.data).toMatchObject({ sessionKey: turn.sessionKey, kind: "tool_end", tool: TOOL });
    expect(toolEnd.data.isError).toBeUndefined();
    expectOwnTime(toolStart);
    expectOwnTime(toolEnd);
    const tool = (phase: string) => turn.seen.find((f) => ["agent", "session.tool"].includes(f.event) && (f.payload as any).stream === "tool" && (f.payload as any).data?.phase === phase);
    expect(toolStart.event.timestamp).toBe((tool("start")!.payload as { ts: number }).ts);
    expect(toolEnd.event.timestamp).toBe((tool("result")!.payload as { ts: number }).ts);
  });

  /*
   * openclaw 2026.9 offers sessions_spawn through Tool Search: the model calls `tool_call` with
   * {id: "sessions_spawn", args}, and the gateway runs the spawn as a nested call. The child here is
   * told to list its workspace, so it works on after the spawn call has returned.
   */
  it("links a sub-agent spawned with sessions_spawn to its parent, and ends it when the child's session ends", async () => {
    const parentKey = `agent:main:mc-spawn-${randomBytes(4).toString("hex")}`;
    const spawnArgs = { id: "sessions_spawn", args: { task: `TOOL:${TOOL} ARGS:${JSON.stringify(TOOL_ARGS)}`, label: "lister" } };
    const sent = await operator!.api.chatSend({ sessionKey: parentKey, message: `get a helper TOOL:tool_call ARGS:${JSON.stringify(spawnArgs)}`, idempotencyKey: randomUUID() });
    expect(sent.status).toBe("started");

    let childKey = "";
    const received = await collect((all) => {
      childKey ||= all.find((r) => r.data.sessionKey === parentKey && r.event.type === "agent.tool_end" && r.data.tool === "sessions_spawn")?.data.child?.sessionKey ?? "";
      const despawned = childKey !== "" && all.some((r) => r.event.type === "agent.despawn" && r.data.sessionKey === childKey);
      // the parent hears the child's result and answers it: that run ends after the child's last row
      const runEnds = all.filter((r) => r.data.sessionKey === parentKey && r.event.type === "agent.run_end").length;
      return despawned && runEnds >= 2;
    });
    const at = (type: string, key: string, accept: (r: Received) => boolean = () => true) => received.findIndex((r) => r.event.type === type && r.data.sessionKey === key && accept(r));
    figures["sub-agent: parent and child events, in stream order"] = received
      .filter((r) => r.data.sessionKey === parentKey || r.data.sessionKey === childKey)
      .map((r) => `${r.data.sessionKey === childKey ? "child" : "parent"} ${r.event.type}${r.data.tool ? `(${r.data.tool})` : ""}`)
      .join(", ");

    expect(childKey).toMatch(/^agent:main:subagent:/);
    const spawn = received[at("agent.spawn", parentKey)]!;
    expect(spawn.data.child).toMatchObject({ label: "lister" });
    expect(spawn.event.message).toBe("main spawned a sub-agent: lister");
    expect(received.filter((r) => r.event.type === "agent.spawn" && r.data.sessionKey === parentKey)).toHaveLength(1);
    const wrapper = received[at("agent.tool_start", parentKey, (r) => r.data.tool === "tool_call")]!;
    expect(wrapper.data.summary).toMatch(/^sessions_spawn: spawn lister/);

    // The spawn call returns first; the child then runs its own tool; its end is the sub-agent's end.
    const returned = at("agent.tool_end", parentKey, (r) => r.data.tool === "sessions_spawn");
    const childTool = at("agent.tool_start", childKey, (r) => r.data.tool === TOOL);
    const childRunEnd = at("agent.run_end", childKey);
    const despawn = at("agent.despawn", childKey);
    expect(returned).toBeGreaterThanOrEqual(0);
    expect(childTool).toBeGreaterThan(returned);
    expect(childRunEnd).toBeGreaterThan(childTool);
    expect(despawn).toBeGreaterThan(childRunEnd);
    expect(received[despawn]!.event.timestamp).toBeGreaterThanOrEqual(received[childRunEnd]!.event.timestamp);
    expect(received[despawn]!.event.message).toBe("Sub-agent finished: lister (main)");
    figures["sub-agent: spawn call returned to child ended"] = `${received[despawn]!.event.timestamp - received[returned]!.event.timestamp} ms (record times)`;

    // once, although every row the gateway sends after the end says "done"
    const { rows: despawns } = await db.query("select count(*)::int as n from activity_events where type = 'agent.despawn' and data->>'sessionKey' = $1", [childKey]);
    expect(despawns[0].n).toBe(1);
    const { rows } = await db.query("select type, parent_session_key, label, ended_at from agent_sessions where session_key = $1 and gateway_id = $2", [childKey, gatewayId]);
    expect(rows).toEqual([{ type: "subagent", parent_session_key: parentKey, label: "lister", ended_at: expect.any(Date) }]);

    // The sessions page shows the ended child under its parent (ended ones on request), and its
    // detail the child's own work.
    expect(await page("/monitoring/sessions")).not.toContain(`data-session-key="${childKey}"`);
    const html = await page("/monitoring/sessions?ended=1");
    expect(html).toMatch(new RegExp(`data-session-key="${childKey}"[^>]*data-parent-key="${parentKey}"|data-parent-key="${parentKey}"[^>]*data-session-key="${childKey}"`));
    const { rows: ids } = await db.query("select id from agent_sessions where session_key = $1 and gateway_id = $2", [childKey, gatewayId]);
    const detail = await page(`/monitoring/sessions/${ids[0].id}`);
    expect(detail).toContain('data-source="gateway"');
    expect(detail).toContain(`mock done: ${TOOL}`);
  });

  it("shows a session from before the app connected, from the gateway's chat.history", async () => {
    const { rows: recorded } = await db.query("select count(*)::int as n from activity_events where data->>'sessionKey' = $1", [BEFORE.sessionKey]);
    expect(recorded[0].n).toBe(0); // the app never saw it happen
    const { rows } = await db.query("select id, type from agent_sessions where session_key = $1 and gateway_id = $2", [BEFORE.sessionKey, gatewayId]);
    expect(rows).toEqual([{ id: expect.any(String), type: "dm" }]); // listed by sessions.subscribe
    const detail = await page(`/monitoring/sessions/${rows[0].id}`);
    expect(detail).toContain('data-source="gateway"');
    expect(detail).toContain(BEFORE.message);
    expect(detail).toContain(`mock reply: ${BEFORE.message}`);
  });

  it("in Chromium, a session's page shows the next turn as it happens, from the gateway's own history", async () => {
    const { rows } = await db.query("select id from agent_sessions where session_key = $1 and gateway_id = $2", [BEFORE.sessionKey, gatewayId]);
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name: "mc_session", value: session, url: server.url }]);
      const tab = await context.newPage();
      await tab.goto(`${server.url}/monitoring/sessions/${rows[0].id}`);
      await tab.locator('[data-live-status="live"]').waitFor();
      await tab.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
      const message = `asked while watching ${randomBytes(3).toString("hex")}`;
      const sentAt = Date.now();
      await operator!.api.chatSend({ sessionKey: BEFORE.sessionKey, message, idempotencyKey: randomUUID() });
      await tab.locator("[data-testid=session-activity] li", { hasText: `mock reply: ${message}` }).waitFor({ timeout: 30_000 });
      figures["session page in Chromium: chat.send to the reply on screen"] = `${Date.now() - sentAt} ms`;
      // no reload: the page followed its session's live topic and read the history again
      expect(await tab.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      await expect(tab.locator("[data-testid=timeline-source]").getAttribute("data-source")).resolves.toBe("gateway");
      const texts = await tab.locator("[data-testid=session-activity] li").allTextContents();
      // the conversation in order: the earlier turn, then this one
      const order = [BEFORE.message, `mock reply: ${BEFORE.message}`, message, `mock reply: ${message}`].map((text) => texts.findIndex((t) => t.includes(text)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order[0]).toBeGreaterThanOrEqual(0);
      await tab.screenshot({ path: "/tmp/mc-contract-session-live.png", fullPage: true });

      // A gateway that stops answering: the way to its session page shows progress, then the page
      // says why the history is missing and shows what was recorded.
      await tab.goto(`${server.url}/monitoring/sessions`);
      await tab.locator('[data-live-status="live"]').waitFor();
      gateway.pause();
      try {
        const askedAt = Date.now();
        await tab.locator(`[data-testid=session-row][data-session-key="${BEFORE.sessionKey}"] a`).first().click();
        await tab.getByTestId("navigation-progress").waitFor({ timeout: 5_000 });
        await tab.locator('[data-testid=timeline-source][data-source="recorded"]').waitFor({ timeout: 15_000 });
        figures["session page, frozen gateway: click to the page with recorded activity"] = `${Date.now() - askedAt} ms`;
        await expect(tab.getByTestId("timeline-source").textContent()).resolves.toBe("Showing what Mission Control recorded. The gateway did not answer chat.history within 5 s.");
        await expect(tab.getByTestId("navigation-progress").count()).resolves.toBe(0);
        await expect(tab.locator("[data-testid=session-activity] li", { hasText: `mock reply: ${message}` }).count()).resolves.toBe(1);
        await tab.screenshot({ path: "/tmp/mc-contract-session-frozen.png", fullPage: true });
      } finally {
        gateway.resume();
      }
    } finally {
      await browser.close();
    }
  });
});
