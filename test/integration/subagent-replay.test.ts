import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { nextLiveEvent } from "../support/live-events";
import { db } from "~/db/data-source.server";
import type { EventFrame } from "~/gateway";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { parseJsonLines } from "~/activity/normalize";
import { getGatewayRuntime, startGatewayRuntime, stopGatewayRuntime } from "~/ingest/gateway-runtime.server";
import { pollGateway } from "~/ingest/poll.server";
import { sessionTimeline } from "~/ingest/session-history.server";
import { listAgentSessions } from "~/models/agent-session.server";
import { createGateway, getGateway } from "~/models/gateway.server";
import { startHub, stopHub } from "~/realtime/hub.server";

/*
 * The frames a real openclaw 2026.9.6 gateway sent while a session spawned a sub-agent through
 * `tool_call` (test/fixtures/openclaw/subagent-spawn-2026.9.6), replayed in order by a fake gateway
 * into the app's gateway runtime: what the sessions page and the session detail then show.
 */

const FIXTURE = path.resolve(__dirname, "../fixtures/openclaw/subagent-spawn-2026.9.6");
const frames = parseJsonLines(readFileSync(path.join(FIXTURE, "frames.jsonl"), "utf8"), "").records as Array<{ event: string; payload: any }>;
const history = JSON.parse(readFileSync(path.join(FIXTURE, "chat-history.json"), "utf8")) as Record<string, unknown>;
const rows = JSON.parse(readFileSync(path.join(FIXTURE, "sessions-list.json"), "utf8")) as Array<{ key: string; spawnedBy?: string; endedAt: number }>;
const childRow = rows.find((row) => row.spawnedBy)!;
const childKey = childRow.key;
const parentKey = childRow.spawnedBy!;

const database = useTestDatabase();
let fake: FakeGateway;
let orgId = "";
let gatewayId = "";

const agentActivity = async (sessionKey: string) =>
  (await db().query("select type, data, created_at from activity_events where org_id = $1 and data->>'sessionKey' = $2 order by id", [orgId, sessionKey])) as Array<{
    type: string;
    data: Record<string, any>;
    created_at: Date;
  }>;

/** Every frame sent before it has been handled once a run_start for `key` sent after them is live (the runtime handles a gateway's frames in order). */
async function send(list: Array<{ event: string; payload: unknown }>, key = `agent:main:sentinel-${Math.random().toString(36).slice(2)}`) {
  const done = nextLiveEvent((e) => e.type === "event.new" && (e.data as any).event?.type === "agent.run_start" && e.orgId === orgId && (e.data as any).event?.sessionKey === key);
  for (const frame of list) fake.broadcast({ type: "event", ...frame } as EventFrame);
  fake.broadcast({ type: "event", event: "agent", payload: { runId: "s", sessionKey: key, agentId: "main", stream: "lifecycle", data: { phase: "start" }, ts: Date.now() } } as EventFrame);
  await done;
}

beforeAll(async () => {
  await startHub(database.url);
  fake = await FakeGateway.start();
  fake.handlers.set("chat.history", (request) => {
    const key = (request.params as { sessionKey: string }).sessionKey;
    return { ok: true, payload: history[key] ?? { sessionKey: key, messages: [] } };
  });
  const { org, actor } = await ownerWithOrg("replay");
  orgId = org.id;
  const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { state: string }).state === "online");
  gatewayId = (await createGateway({ orgId, input: { name: "Replay", url: fake.url, token: fake.token, pollIntervalSeconds: 600 }, actor })).id;
  await startGatewayRuntime({ databaseUrl: database.url, reconcileMs: 60_000 });
  await online;
  await fake.waitForRequest("sessions.subscribe");
  await send(frames);
});

afterAll(async () => {
  await stopGatewayRuntime();
  await fake?.close();
  await stopHub();
});

describe("a recorded sub-agent spawn, replayed through the gateway runtime", () => {
  it("links the child to its parent and ends it once, when its session ends", async () => {
    const sessions = (await listAgentSessions(orgId)).filter((s) => s.gatewayId === gatewayId);
    const child = sessions.find((s) => s.sessionKey === childKey)!;
    expect(child).toMatchObject({ type: "subagent", parentSessionKey: parentKey, label: "lister", endedAt: childRow.endedAt });
    expect(sessions.find((s) => s.sessionKey === parentKey)).toMatchObject({ type: "dm", endedAt: null, parentSessionKey: null });

    const parentRows = await agentActivity(parentKey);
    const childRows = await agentActivity(childKey);
    expect(parentRows.filter((r) => r.type === "agent.spawn")).toHaveLength(1);
    const despawns = childRows.filter((r) => r.type === "agent.despawn");
    expect(despawns).toHaveLength(1); // the gateway sent "done" in five rows after the end
    const spawnReturned = parentRows.find((r) => r.type === "agent.tool_end" && r.data.tool === "sessions_spawn")!;
    expect(spawnReturned.data.child).toEqual({ sessionKey: childKey });
    const childRunEnd = childRows.find((r) => r.type === "agent.run_end")!;
    // ended when the child's run ended, well after the spawn call had returned
    expect(despawns[0]!.created_at.getTime()).toBe(childRunEnd.created_at.getTime());
    expect(despawns[0]!.created_at.getTime()).toBeGreaterThan(spawnReturned.created_at.getTime());
    for (const row of [...parentRows, ...childRows]) expect(row.data.gatewayId).toBe(gatewayId);
  });

  it("opens the child again when it runs again, and ends it again with one more despawn", async () => {
    const runAt = childRow.endedAt + 60_000;
    await send([{ event: "agent", payload: { runId: "again", sessionKey: childKey, agentId: "main", stream: "lifecycle", data: { phase: "start", startedAt: runAt }, ts: runAt } }]);
    expect((await listAgentSessions(orgId)).find((s) => s.sessionKey === childKey)!.endedAt).toBeNull();

    const session = (status: string, endedAt?: number) => ({ key: childKey, agentId: "main", spawnedBy: parentKey, label: "lister", status, ...(endedAt ? { endedAt } : {}), hasActiveRun: status === "running" });
    await send([
      { event: "sessions.changed", payload: { sessionKey: childKey, agentId: "main", reason: "agent.run.started", ts: runAt, session: session("running") } },
      { event: "sessions.changed", payload: { sessionKey: childKey, agentId: "main", reason: "agent.input.settled", ts: runAt + 500, session: session("done", runAt + 400) } },
      { event: "sessions.changed", payload: { sessionKey: childKey, agentId: "main", phase: "end", ts: runAt + 400, session: session("done", runAt + 400) } },
    ]);
    expect((await listAgentSessions(orgId)).find((s) => s.sessionKey === childKey)!.endedAt).toBe(runAt + 400);
    expect((await agentActivity(childKey)).filter((r) => r.type === "agent.despawn")).toHaveLength(2);
  });

  it("shows the parent's conversation from chat.history with the recorded runs, on the owner's connection", async () => {
    const session = (await listAgentSessions(orgId)).find((s) => s.sessionKey === parentKey && s.gatewayId === gatewayId)!;
    const clients = fake.clients.length;
    const timeline = await sessionTimeline({ orgId, session, childKeys: [childKey] });
    expect(fake.clients.length).toBe(clients); // no extra connection
    expect(timeline).toMatchObject({ source: "gateway", unavailable: null, hasMore: false });
    const kinds = timeline.items.map((item) => item.kind);
    expect(kinds[0]).toBe("user_message");
    expect(kinds).toEqual(expect.arrayContaining(["run_start", "tool_start", "spawn", "tool_end", "message", "run_end"]));
    // the conversation comes from the history once, not again from the recorded stream
    expect(timeline.items.filter((item) => item.kind === "spawn")).toHaveLength(1);
    expect(timeline.items.filter((item) => item.kind === "user_message")).toHaveLength(1);
    expect(timeline.items.map((item) => item.message)).toContain("main: mock done: tool_call");
    // the child's end, recorded on the child, is part of the parent's story, linked to the child
    const ends = timeline.items.filter((item) => item.kind === "despawn");
    expect(ends.length).toBeGreaterThanOrEqual(1);
    expect(ends[0]).toMatchObject({ childKey, message: "Sub-agent finished: lister (main)" });
    // and the spawn learned its child from the result of the same call
    expect(timeline.items.find((item) => item.kind === "spawn")!.childKey).toBe(childKey);
    const times = timeline.items.map((item) => item.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("asks on a connection of its own when another process owns the gateway, and says why when it cannot", async () => {
    const runtime = getGatewayRuntime()!;
    const session = (await listAgentSessions(orgId)).find((s) => s.sessionKey === childKey && s.gatewayId === gatewayId)!;
    const owned = vi.spyOn(runtime, "connectionFor").mockReturnValue(undefined);
    try {
      const clients = fake.clients.length;
      const timeline = await sessionTimeline({ orgId, session });
      expect(fake.clients.length).toBe(clients + 1);
      expect(timeline.source).toBe("gateway");
      expect(timeline.items.map((item) => item.message)).toContain("main: mock done: ls");

      fake.handlers.set("chat.history", () => ({ ok: false, error: { code: "UNAVAILABLE", message: "history store is busy" } }));
      const failed = await sessionTimeline({ orgId, session });
      expect(failed.source).toBe("recorded");
      expect(failed.unavailable).toContain("history store is busy");
      // what was recorded live is still there
      const kinds = failed.items.map((item) => item.kind);
      expect(kinds).toEqual(expect.arrayContaining(["user_message", "tool_start", "tool_end", "run_end", "despawn"]));
      // the child's run ends before the child does, though the gateway gives both the same millisecond
      const [runEnd, despawn] = [kinds.indexOf("run_end"), kinds.indexOf("despawn")];
      expect(failed.items[runEnd]!.at).toBe(failed.items[despawn]!.at);
      expect(runEnd).toBeLessThan(despawn);
    } finally {
      owned.mockRestore();
    }
  });

  it("shows what was recorded when the gateway no longer holds the session's messages (reset or deleted)", async () => {
    const session = (await listAgentSessions(orgId)).find((s) => s.sessionKey === parentKey && s.gatewayId === gatewayId)!;
    fake.handlers.set("chat.history", () => ({ ok: true, payload: { sessionKey: parentKey, messages: [], hasMore: false } }));
    try {
      const timeline = await sessionTimeline({ orgId, session });
      expect(timeline).toMatchObject({ source: "recorded", unavailable: "the gateway no longer holds this session's messages" });
      expect(timeline.items.map((item) => item.kind)).toEqual(expect.arrayContaining(["user_message", "spawn", "message"]));
    } finally {
      fake.handlers.set("chat.history", (request) => {
        const key = (request.params as { sessionKey: string }).sessionKey;
        return { ok: true, payload: history[key] ?? { sessionKey: key, messages: [] } };
      });
    }
  });

  it("reads earlier messages on request, up to the gateway's 1,000, and says when there are more", async () => {
    const session = (await listAgentSessions(orgId)).find((s) => s.sessionKey === parentKey && s.gatewayId === gatewayId)!;
    // a long conversation: 400 user/assistant pairs, the gateway answering the newest `limit`
    const long = Array.from({ length: 800 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: [{ type: "text", text: `line ${i}` }], timestamp: 1795335000000 + i * 1000 }));
    const asked: number[] = [];
    fake.handlers.set("chat.history", (request) => {
      const limit = (request.params as { limit: number }).limit;
      asked.push(limit);
      return { ok: true, payload: { sessionKey: parentKey, messages: long.slice(-limit), hasMore: limit < long.length } };
    });
    try {
      const first = await sessionTimeline({ orgId, session });
      expect(first).toMatchObject({ source: "gateway", hasMore: true, limit: 100 });
      expect(first.items.filter((item) => item.kind === "user_message" || item.kind === "message")).toHaveLength(100);
      const more = await sessionTimeline({ orgId, session, limit: 300 });
      expect(more).toMatchObject({ hasMore: true, limit: 300 });
      expect(more.items[0]!.text).toBe("line 500");
      const all = await sessionTimeline({ orgId, session, limit: 5_000 }); // clamped to what the gateway accepts
      expect(all).toMatchObject({ hasMore: false, limit: 1_000 });
      expect(all.items.filter((item) => item.kind === "user_message" || item.kind === "message")).toHaveLength(800);
      expect(asked).toEqual([100, 300, 1_000]);
    } finally {
      fake.handlers.set("chat.history", (request) => {
        const key = (request.params as { sessionKey: string }).sessionKey;
        return { ok: true, payload: history[key] ?? { sessionKey: key, messages: [] } };
      });
    }
  });

  it("gives a sub-agent that ended unheard its finished line from the row that closes it, once; and one that vanished from the list too", async () => {
    const runtime = getGatewayRuntime()!;
    const quietKey = `agent:main:subagent:quiet-${Math.random().toString(36).slice(2)}`;
    const goneKey = `agent:main:subagent:gone-${Math.random().toString(36).slice(2)}`;
    const startedAt = Date.now() - 60_000;
    const row = (key: string, label: string, status: string, endedAt?: number) => ({
      key, agentId: "main", spawnedBy: parentKey, label, status, kind: "direct", classification: "subagent", updatedAt: endedAt ?? startedAt, ...(endedAt ? { endedAt } : {}),
    });
    // both children are seen running ...
    await send([
      { event: "sessions.changed", payload: { sessionKey: quietKey, agentId: "main", reason: "agent.run.started", ts: startedAt, session: row(quietKey, "quiet one", "running") } },
      { event: "sessions.changed", payload: { sessionKey: goneKey, agentId: "main", reason: "agent.run.started", ts: startedAt, session: row(goneKey, "gone one", "running") } },
    ]);
    const open = (await listAgentSessions(orgId)).filter((s) => s.sessionKey === quietKey || s.sessionKey === goneKey);
    expect(open.map((s) => s.endedAt)).toEqual([null, null]);

    // ... then, with no event heard, the next poll lists one as done and no longer lists the other
    const endedAt = startedAt + 30_000;
    const listed = [...rows, row(quietKey, "quiet one", "done", endedAt)];
    fake.handlers.set("sessions.list", () => ({ ok: true, payload: { count: listed.length, hasMore: false, sessions: listed } }));
    try {
      const gateway = (await getGateway({ orgId, id: gatewayId }))!;
      await runtime.pollNow(gateway.id);
      const quiet = await agentActivity(quietKey);
      expect(quiet.filter((r) => r.type === "agent.despawn").map((r) => ({ at: r.created_at.getTime(), summary: r.data.summary }))).toEqual([{ at: endedAt, summary: "done" }]);
      const gone = (await agentActivity(goneKey)).filter((r) => r.type === "agent.despawn");
      expect(gone).toHaveLength(1);
      expect(gone[0]!.data.summary).toBe("no longer listed");
      const ended = (await listAgentSessions(orgId)).filter((s) => s.sessionKey === quietKey || s.sessionKey === goneKey);
      expect(ended.every((s) => s.endedAt !== null)).toBe(true);
      const [line] = (await db().query("select message from activity_events where org_id = $1 and type = 'agent.despawn' and data->>'sessionKey' = $2", [orgId, quietKey])) as Array<{ message: string }>;
      expect(line!.message).toBe("Sub-agent finished: quiet one (main)");

      // polled again, and told again by an event: still one end each
      await runtime.pollNow(gateway.id);
      await send([{ event: "sessions.changed", payload: { sessionKey: quietKey, agentId: "main", reason: "agent.input.settled", ts: endedAt + 5, session: row(quietKey, "quiet one", "done", endedAt) } }]);
      expect((await agentActivity(quietKey)).filter((r) => r.type === "agent.despawn")).toHaveLength(1);
      expect((await agentActivity(goneKey)).filter((r) => r.type === "agent.despawn")).toHaveLength(1);
    } finally {
      fake.handlers.delete("sessions.list");
    }
  });

  it("a poll answer overtaken by events while it was on its way neither reopens an ended sub-agent nor ends a new one", async () => {
    const runtime = getGatewayRuntime()!;
    const key = `agent:main:subagent:race-${Math.random().toString(36).slice(2)}`;
    const fresh = `agent:main:subagent:fresh-${Math.random().toString(36).slice(2)}`;
    const startedAt = Date.now() - 60_000;
    const row = (k: string, status: string, endedAt?: number) => ({
      key: k, agentId: "main", spawnedBy: parentKey, label: "racer", status, kind: "direct", classification: "subagent", updatedAt: endedAt ?? startedAt, ...(endedAt ? { endedAt } : {}),
    });
    await send([{ event: "sessions.changed", payload: { sessionKey: key, agentId: "main", reason: "agent.run.started", ts: startedAt, session: row(key, "running") } }]);

    // the poll asks: sessions.list answers "running" at once, usage.cost holds the poll up
    let answerCost!: () => void;
    const costHeld = new Promise<void>((resolve) => (answerCost = resolve));
    let costAsked!: () => void;
    const asked = new Promise<void>((resolve) => (costAsked = resolve));
    fake.handlers.set("sessions.list", () => ({ ok: true, payload: { count: rows.length + 1, hasMore: false, sessions: [...rows, row(key, "running")] } }));
    fake.handlers.set("usage.cost", async () => {
      costAsked();
      await costHeld;
      return { ok: true, payload: { updatedAt: Date.now(), days: 30, daily: [], totals: {} } };
    });
    try {
      const polling = runtime.pollNow(gatewayId);
      await asked;
      // meanwhile the sub-agent ends, and another one is spawned
      const endedAt = startedAt + 30_000;
      await send([
        { event: "sessions.changed", payload: { sessionKey: key, agentId: "main", reason: "agent.input.settled", ts: endedAt, session: row(key, "done", endedAt) } },
        { event: "sessions.changed", payload: { sessionKey: fresh, agentId: "main", reason: "agent.run.started", ts: Date.now(), session: row(fresh, "running") } },
      ]);
      answerCost();
      await polling;
      const sessions = await listAgentSessions(orgId);
      expect(sessions.find((s) => s.sessionKey === key)!.endedAt).toBe(endedAt);
      expect(sessions.find((s) => s.sessionKey === fresh)!.endedAt).toBeNull();

      // the next poll, up to date: still one end for the first, none for the new one
      fake.handlers.delete("usage.cost");
      fake.handlers.set("sessions.list", () => ({ ok: true, payload: { count: rows.length + 2, hasMore: false, sessions: [...rows, row(key, "done", endedAt), row(fresh, "running")] } }));
      await runtime.pollNow(gatewayId);
      expect((await agentActivity(key)).filter((r) => r.type === "agent.despawn").map((r) => r.data.summary)).toEqual(["done"]);
      expect((await agentActivity(fresh)).filter((r) => r.type === "agent.despawn")).toEqual([]);
    } finally {
      answerCost();
      fake.handlers.delete("usage.cost");
      fake.handlers.delete("sessions.list");
    }
  });

  it("keeps each session's usage over every call (sessions.usage) beside the row's last run, and announces only changes", async () => {
    const usage = (input: number, cost: number) => ({ input, output: 10, cacheRead: 5, cacheWrite: 0, totalTokens: input + 15, totalCost: cost });
    fake.handlers.set("sessions.usage", () => ({
      ok: true,
      payload: {
        updatedAt: Date.now(), startDate: "2026-10-30", endDate: "2026-11-28", cacheStatus: { status: "fresh" },
        totals: usage(3000, 0.03),
        sessions: [
          { key: parentKey, agentId: "main", usage: usage(2700, 0.01044) },
          { key: childKey, agentId: "main", usage: null }, // not counted yet
          { key: "agent:main:not-known-here", agentId: "main", usage: usage(1, 0.001) },
        ],
      },
    }));
    try {
      const connection = getGatewayRuntime()!.connectionFor(gatewayId)!;
      const gateway = (await getGateway({ orgId, id: gatewayId }))!;
      const announced = nextLiveEvent((e) => e.orgId === orgId && e.type === "sessions.changed" && (e.data as { reason?: string }).reason === "usage");
      const outcome = await pollGateway(connection, gateway);
      expect(outcome.errors["sessions.usage"]).toBeUndefined();
      expect((await announced).data).toMatchObject({ count: 1 });

      const sessions = await listAgentSessions(orgId);
      const parent = sessions.find((s) => s.sessionKey === parentKey && s.gatewayId === gatewayId)!;
      expect(parent.usage).toEqual({ inputTokens: 2700, outputTokens: 10, cacheReadTokens: 5, totalTokens: 2715, costUsd: 0.01044, since: "2026-10-30" });
      expect(parent.costUsd).not.toBe(0.01044); // the row's own figure (the last run) is kept beside it
      expect(sessions.find((s) => s.sessionKey === childKey && s.gatewayId === gatewayId)!.usage).toBeNull();
      expect(sessions.some((s) => s.sessionKey === "agent:main:not-known-here")).toBe(false);
      // the snapshot keeps the totals, not every session's breakdown
      const [snapshot] = (await db().query("select data from gateway_snapshots where gateway_id = $1 and kind = 'sessions.usage'", [gatewayId])) as Array<{ data: Record<string, unknown> }>;
      expect(snapshot!.data).toMatchObject({ startDate: "2026-10-30", sessions: 3, totals: { totalCost: 0.03 } });

      // the same figures again: nothing written, nothing announced
      const count = async () =>
        ((await db().query("select count(*)::int as n from event_log where org_id = $1 and type = 'sessions.changed' and data->>'reason' = 'usage'", [orgId])) as Array<{ n: number }>)[0]!.n;
      const before = await count();
      await pollGateway(connection, gateway);
      expect(await count()).toBe(before);
    } finally {
      fake.handlers.delete("sessions.usage");
    }
  });
});
