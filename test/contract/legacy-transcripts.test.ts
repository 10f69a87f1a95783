import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayConnection, generateDeviceIdentity } from "~/gateway";
import { startGateway, type StartedGateway } from "../support/openclaw-harness";
import { apiSignIn, startServer, type StartedServer } from "../support/server";
import { openEvents, type FrameReader } from "../support/sse";

/*
 * F6 against a real openclaw 2026.7.35 gateway, the last line that writes transcript files: the built
 * app tails the gateway's state directory (OPENCLAW_STATE_DIR; no gateway registered with it), and
 * turns run on the gateway reach an SSE client once each, at their records' own times. 2026.7 rewrites
 * a session's trajectory whole on every run (a temporary file renamed over it) and writes sessions.json
 * the same way; neither may replay what was already read.
 */

const VERSION = "2026.7.35";
const USER = "legacy-admin";
const PASSWORD = "legacy-admin-password";
const SESSION_KEY = `agent:main:mc-legacy-${randomBytes(4).toString("hex")}`;
const TURNS = ["first legacy turn", "second legacy turn", "third legacy turn"];

let gateway: StartedGateway;
let server: StartedServer;
let operator: GatewayConnection | undefined;
let db: pg.Client;
let events: FrameReader;
const controller = new AbortController();

interface AgentFrame {
  type: string;
  message: string;
  timestamp: number;
}

beforeAll(async () => {
  gateway = await startGateway({ version: VERSION });
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, OPENCLAW_STATE_DIR: gateway.stateDir } });
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const token = await apiSignIn(server.url, USER, PASSWORD);
  events = await openEvents(server.url, { topics: "activity", token, signal: controller.signal });
  operator = new GatewayConnection({ url: gateway.url, token: gateway.token, identity: generateDeviceIdentity() });
  operator.start();
  await operator.waitFor("online", 30_000);
}, 600_000);

afterAll(async () => {
  controller.abort();
  await operator?.close().catch(() => {});
  await db?.end().catch(() => {});
  await server?.stop();
  await gateway?.stop();
});

/** chat.send, then the chat "final" of that run. */
async function turn(message: string) {
  let runId = "";
  const final = new Promise<void>((resolve) => {
    const off = operator!.onEvent("chat", (frame) => {
      const payload = frame.payload as { runId?: string; state?: string };
      if (runId && payload.runId === runId && payload.state === "final") {
        off();
        resolve();
      }
    });
  });
  runId = (await operator!.api.chatSend({ sessionKey: SESSION_KEY, message, idempotencyKey: randomUUID() })).runId;
  await final;
}

describe(`transcript files of a real openclaw ${VERSION} gateway`, () => {
  it("reach an SSE client once each, at their records' own times, with the session's usage summed over every call", async () => {
    for (const message of TURNS) await turn(message);

    // Every agent event of the session until each turn's four are in: its user message, run start
    // (trajectory), reply and run end (trajectory). Whatever comes twice would show in the counts.
    const received: AgentFrame[] = [];
    const count = (type: string) => received.filter((event) => event.type === type).length;
    const complete = () => ["agent.user_message", "agent.run_start", "agent.message", "agent.run_end"].every((type) => count(type) >= TURNS.length);
    const deadline = Date.now() + 60_000;
    while (!complete()) {
      const frame = await events.next((f) => f.event === "event.new", Math.max(1, deadline - Date.now()));
      const event = JSON.parse(frame.data!).event as AgentFrame & { id: string };
      if (!event.type.startsWith("agent.")) continue;
      const { rows } = await db.query("select data->>'sessionKey' as key from activity_events where id = $1", [event.id]);
      if (rows[0]?.key === SESSION_KEY) received.push(event);
    }
    // nothing more for this session is on its way: the rows say the same
    const { rows } = await db.query(
      "select type, created_at, message from activity_events where data->>'sessionKey' = $1 and actor_type = 'agent' order by created_at, id",
      [SESSION_KEY],
    );
    expect(rows.map((row) => row.type)).toEqual(TURNS.flatMap(() => ["agent.user_message", "agent.run_start", "agent.message", "agent.run_end"]));
    expect(rows.filter((row) => row.type === "agent.user_message").map((row) => row.message)).toEqual(TURNS.map((text) => `To main: ${text}`));
    for (const [index, text] of TURNS.entries()) expect(rows.filter((row) => row.type === "agent.message")[index]!.message).toContain(text);

    // the records' own times: each user message at its transcript entry's timestamp
    const sessionsDir = path.join(gateway.stateDir, "agents", "main", "sessions");
    const index = JSON.parse(readFileSync(path.join(sessionsDir, "sessions.json"), "utf8")) as Record<string, { sessionId: string }>;
    const transcript = readFileSync(path.join(sessionsDir, `${index[SESSION_KEY]!.sessionId}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; timestamp?: string; message?: { role: string; timestamp?: number; usage?: { cost?: { total?: number } } } });
    const userTimes = transcript.filter((record) => record.message?.role === "user").map((record) => record.message!.timestamp ?? Date.parse(record.timestamp!));
    expect(received.filter((event) => event.type === "agent.user_message").map((event) => event.timestamp)).toEqual(userTimes);
    expect(readdirSync(sessionsDir).some((name) => name.endsWith(".trajectory.jsonl"))).toBe(true);

    // usage: every call of the transcript, while the session row (sessions.json) holds the last run only
    const calls = transcript.filter((record) => record.message?.role === "assistant" && record.message.usage);
    expect(calls).toHaveLength(TURNS.length);
    const sum = calls.reduce((total, record) => total + (record.message!.usage!.cost?.total ?? 0), 0);
    const { rows: sessions } = await db.query("select usage_cost_usd, cost_usd from agent_sessions where session_key = $1", [SESSION_KEY]);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].usage_cost_usd).toBeCloseTo(sum, 9);
    expect(sessions[0].cost_usd).toBeLessThan(sessions[0].usage_cost_usd);
  });
});
