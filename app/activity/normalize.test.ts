import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recordedEventsByKind, recordedSession, SAMPLES_DIR } from "~/gateway/testing/samples";
import {
  normalizeGatewayEvent,
  normalizeHistoryMessage,
  normalizeTranscriptRecord,
  parseJsonLines,
  summarizeToolArgs,
  type ActivityEvent,
  type TranscriptContext,
} from "./normalize";

/*
 * Every record and event kind in the recorded samples of both gateway versions (2026.9.6 events and
 * transcripts, 2026.7.35 session files), plus shapes PROTOCOL.md documents that no sample happens
 * to contain (thinking blocks, sessions_spawn, errors), built here from that description.
 */

type Record = { type: string; id?: string; timestamp?: string; customType?: string; message?: { role: string; timestamp?: number; content: unknown; [key: string]: unknown }; [key: string]: unknown };

function readRecords(relative: string): Record[] {
  const { records, malformed, carry } = parseJsonLines(readFileSync(path.join(SAMPLES_DIR, relative), "utf8"), "");
  expect(malformed).toBe(0);
  expect(carry).toBe("");
  return records as Record[];
}

const jsonlIn = (dir: string) =>
  readdirSync(path.join(SAMPLES_DIR, dir))
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => `${dir}/${name}`);

const context = (sessionId: string, sessionKey = `agent:main:${sessionId}`): TranscriptContext => ({ agentId: "main", sessionKey, sessionId });
const kinds = (events: ActivityEvent[]) => events.map((event) => event.kind);

/** The record's own time: the message's ms timestamp, else the record's ISO one. */
function ownTime(record: Record): number {
  return record.message?.timestamp ?? Date.parse(record.timestamp!);
}

describe("parseJsonLines", () => {
  it("carries a partial last line over to the next chunk", () => {
    const first = parseJsonLines('{"a":1}\n{"b":', "");
    expect(first).toEqual({ records: [{ a: 1 }], carry: '{"b":', malformed: 0 });
    const second = parseJsonLines('2}\n{"c":3}', first.carry);
    expect(second).toEqual({ records: [{ b: 2 }], carry: '{"c":3}', malformed: 0 });
    expect(parseJsonLines("\n", second.carry).records).toEqual([{ c: 3 }]);
  });

  it("skips blank lines and CRLF endings, counts and skips malformed lines", () => {
    const result = parseJsonLines('{"a":1}\r\n\n   \nnot json\n{"b":2}\n{"half"\n', "");
    expect(result.records).toEqual([{ a: 1 }, { b: 2 }]);
    expect(result.malformed).toBe(2);
    expect(result.carry).toBe("");
  });

  it("gives the same records however a sample transcript is cut into chunks", () => {
    const text = readFileSync(path.join(SAMPLES_DIR, "transcripts/main.b273d7e5-ae88-4e58-b6ee-cf4aeec79f16.jsonl"), "utf8");
    const whole = parseJsonLines(text, "").records;
    for (const size of [1, 7, 100, 4096]) {
      const records: unknown[] = [];
      let carry = "";
      for (let i = 0; i < text.length; i += size) {
        const result = parseJsonLines(text.slice(i, i + size), carry);
        records.push(...result.records);
        carry = result.carry;
        expect(result.malformed).toBe(0);
      }
      expect(records).toEqual(whole);
    }
  });
});

describe("normalizeTranscriptRecord on the 2026.9.6 transcripts", () => {
  const files = [...jsonlIn("transcripts"), "archives/deleted-session.decompressed.jsonl"];

  it.each(files)("%s: every record kind, at its own timestamp", (file) => {
    const records = readRecords(file);
    const sessionId = String(records[0]!.id);
    for (const record of records) {
      const events = normalizeTranscriptRecord(record, context(sessionId));
      for (const event of events) {
        expect(event).toMatchObject({ source: "transcript", agentId: "main", sessionKey: `agent:main:${sessionId}`, sessionId, recordId: record.id });
        expect(event.at).toBe(ownTime(record));
      }
      const message = record.message;
      if (record.type !== "message") {
        // session header, model_change, thinking_level_change, custom: state, not activity
        expect(["session", "model_change", "thinking_level_change", "custom"]).toContain(record.type);
        expect(events).toEqual([]);
      } else if (message!.role === "user") {
        expect(kinds(events)).toEqual(["user_message"]);
        expect(events[0]!.text).toBe(String(message!.content).slice(0, 499) + (String(message!.content).length > 500 ? "…" : ""));
        expect(events[0]!.runId).toBe(String(message!.idempotencyKey).replace(/:user$/, ""));
      } else if (message!.role === "assistant") {
        const blocks = message!.content as Array<{ type: string; text?: string; name?: string; id?: string }>;
        expect(events[0]).toMatchObject({ model: "mock-1", usage: { input: 1034, output: 56, cacheRead: 200, cacheWrite: 0, cost: 0.004002 } });
        expect(events[0]!.runId).toBe((message!.__openclaw as { runId: string }).runId);
        expect(events.filter((event) => event.usage)).toHaveLength(1);
        if (blocks[0]!.type === "text") {
          expect(kinds(events)).toEqual(["message"]);
          expect(events[0]!.text).toBe(blocks[0]!.text!.slice(0, 500).length < 500 ? blocks[0]!.text : events[0]!.text);
        } else {
          expect(blocks[0]).toMatchObject({ type: "toolCall", name: "ls" });
          expect(events).toMatchObject([{ kind: "tool_start", tool: "ls", toolCallId: blocks[0]!.id, summary: "ls ." }]);
        }
      } else {
        expect(message!.role).toBe("toolResult");
        expect(events).toMatchObject([{ kind: "tool_end", tool: "ls", toolCallId: message!.toolCallId, isError: false }]);
        expect(events[0]!.text).toContain('"AGENTS.md"');
      }
    }
  });

  it("turns a run with a tool call into the expected sequence", () => {
    const records = readRecords("transcripts/main.b273d7e5-ae88-4e58-b6ee-cf4aeec79f16.jsonl");
    const events = records.flatMap((record) => normalizeTranscriptRecord(record, context("b273d7e5-ae88-4e58-b6ee-cf4aeec79f16", "agent:main:mc-final")));
    expect(events.map((event) => [event.kind, event.tool ?? event.text?.slice(0, 26)])).toEqual([
      ["user_message", "hello from mission control"],
      ["message", "mock echo: hello from miss"],
      ["user_message", 'please run TOOL:ls ARGS:{"'],
      ["tool_start", "ls"],
      ["tool_end", "ls"],
      ["message", 'mock: tool returned ".git/'],
    ]);
    expect(events.every((event) => event.sessionKey === "agent:main:mc-final")).toBe(true);
    const times = events.map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("uses the message's timestamp, not the record's write time nor the read time", () => {
    const [record] = readRecords("transcripts/main.064f3e79-9639-4a58-85ab-bed28918e9b1.jsonl").filter((r) => r.message?.role === "user");
    const [event] = normalizeTranscriptRecord(record, context("064f3e79"));
    expect(event!.at).toBe(1795317573855);
    expect(Date.parse(record!.timestamp!)).toBe(1795317574414);
    const withoutMessageTime = { ...record, message: { ...record!.message, timestamp: undefined } };
    expect(normalizeTranscriptRecord(withoutMessageTime, context("064f3e79"))[0]!.at).toBe(1795317574414);
  });
});

describe("normalizeTranscriptRecord on the 2026.7.35 session files", () => {
  const demo = "055f3b79-2bd4-4329-933a-4f35c76c6bc9";
  const tool = "5f6afa8c-0402-4922-b4f9-f49f6cac1d0c";

  it.each([demo, tool])("%s.jsonl: every record kind, at its own timestamp", (sessionId) => {
    const records = readRecords(`v2026.7.35/${sessionId}.jsonl`);
    expect(records[0]).toMatchObject({ type: "session", version: 3 });
    const events = records.flatMap((record) => {
      const out = normalizeTranscriptRecord(record, context(sessionId));
      for (const event of out) expect(event.at).toBe(ownTime(record));
      if (record.type !== "message") expect(out).toEqual([]);
      return out;
    });
    if (sessionId === demo) {
      // the mock model kept calling a tool this gateway lacks: ten failed results, no toolCall recorded
      expect(kinds(events)).toEqual(["user_message", "message", "user_message", ...Array(10).fill("tool_end"), "message"]);
      expect(events.filter((event) => event.kind === "tool_end").every((event) => event.isError && event.tool === "ls" && event.text === "Tool ls not found")).toBe(true);
    } else {
      expect(kinds(events)).toEqual(["user_message", "message", "user_message", "tool_start", "tool_end", "message"]);
      expect(events[3]).toMatchObject({ tool: "session_status", toolCallId: "call_mock_1795317781306", summary: "session_status", model: "mock-1" });
      expect(events[4]).toMatchObject({ tool: "session_status", toolCallId: "call_mock_1795317781306", isError: false });
      expect(events[4]!.text!.length).toBeLessThanOrEqual(500);
      expect(events[4]!.text!.endsWith("…")).toBe(true);
    }
    // one usage per assistant message, so per-session sums come out right
    const assistantMessages = records.filter((record) => record.message?.role === "assistant").length;
    expect(events.filter((event) => event.usage).map((event) => event.usage!.cost)).toEqual(Array(assistantMessages).fill(0.004002));
  });

  it.each([
    [demo, "agent:main:mc-v7-demo"],
    [tool, "agent:main:mc-v7-tool"],
  ])("%s.trajectory.jsonl: run start and end from the trajectory, keyed by the record's own session key", (sessionId, sessionKey) => {
    const records = readRecords(`v2026.7.35/${sessionId}.trajectory.jsonl`);
    const types = new Set(records.map((record) => record.type));
    expect([...types].sort()).toEqual(["context.compiled", "model.completed", "prompt.submitted", "session.ended", "session.started", "trace.artifacts", "trace.metadata"]);
    const events = records.flatMap((record) => {
      const out = normalizeTranscriptRecord(record, context(sessionId));
      for (const event of out) expect(event.at).toBe(Date.parse(String(record.ts)));
      return out;
    });
    expect(kinds(events)).toEqual(["run_start", "run_end", "run_start", "run_end"]);
    expect(events.every((event) => event.sessionKey === sessionKey && event.sessionId === sessionId)).toBe(true);
    expect(events[0]).toMatchObject({ model: "mock-1", runId: records[0]!.runId });
    expect(events[1]).toMatchObject({ isError: false, summary: "success", runId: records[0]!.runId });
  });

  it("a failed or aborted trajectory run ends in error", () => {
    const ended = { traceSchema: "openclaw-trajectory", type: "session.ended", ts: "2026-11-22T03:22:41.582Z", runId: "r1", data: { status: "error", aborted: false } };
    expect(normalizeTranscriptRecord(ended, context("s"))).toMatchObject([{ kind: "run_end", isError: true, summary: "error", sessionKey: "agent:main:s" }]);
    expect(normalizeTranscriptRecord({ ...ended, data: { status: "success", aborted: true } }, context("s"))[0]!.isError).toBe(true);
  });
});

describe("normalizeTranscriptRecord on shapes the samples lack (from PROTOCOL.md)", () => {
  const at = 1795317576032;
  const assistant = (content: unknown, extra: object = {}) => ({
    type: "message",
    id: "m1",
    timestamp: "2026-11-22T03:19:36.066Z",
    message: { role: "assistant", content, model: "m", timestamp: at, ...extra },
  });

  it("thinking blocks become a thinking event before the message", () => {
    const events = normalizeTranscriptRecord(assistant([{ type: "thinking", thinking: "Let me look." }, { type: "text", text: "Done." }]), context("s"));
    expect(events).toMatchObject([{ kind: "thinking", text: "Let me look.", model: "m", at }, { kind: "message", text: "Done.", at }]);
  });

  it("a sessions_spawn tool call spawns a child; its result names the child's session", () => {
    const args = { task: "Summarize the logs", label: "log-reader", agentId: "ops" };
    const events = normalizeTranscriptRecord(assistant([{ type: "toolCall", id: "c1", name: "sessions_spawn", arguments: args }]), context("s"));
    expect(events).toMatchObject([
      { kind: "tool_start", tool: "sessions_spawn", toolCallId: "c1", summary: "spawn log-reader: Summarize the logs" },
      { kind: "spawn", tool: "sessions_spawn", toolCallId: "c1", child: { label: "log-reader", task: "Summarize the logs", agentId: "ops" }, at },
    ]);
    const result = {
      type: "message",
      id: "m2",
      message: {
        role: "toolResult",
        toolCallId: "c1",
        toolName: "sessions_spawn",
        content: [{ type: "text", text: JSON.stringify({ status: "accepted", childSessionKey: "agent:ops:subagent:9f2c", runId: "r9" }) }],
        isError: false,
        timestamp: at + 5,
      },
    };
    expect(normalizeTranscriptRecord(result, context("s"))).toMatchObject([{ kind: "tool_end", child: { sessionKey: "agent:ops:subagent:9f2c" }, at: at + 5 }]);
  });

  it("a model error becomes an error event; long text is cut to 500 characters", () => {
    const failed = normalizeTranscriptRecord(assistant([], { stopReason: "error", errorMessage: "429 rate limited" }), context("s"));
    expect(failed).toMatchObject([{ kind: "error", isError: true, text: "429 rate limited" }]);
    const [long] = normalizeTranscriptRecord(assistant([{ type: "text", text: "x".repeat(2000) }]), context("s"));
    expect(long!.text).toHaveLength(500);
  });

  it("never throws on malformed input", () => {
    const junk: unknown[] = [null, undefined, 0, "text", [], {}, { type: "message" }, { type: "message", message: null }, { type: "message", message: { role: "user" } },
      { type: "message", message: { role: "assistant", content: [null, 1, { type: "toolCall" }], timestamp: "soon" } }, { traceSchema: "openclaw-trajectory", type: "session.started" }];
    for (const value of junk) expect(normalizeTranscriptRecord(value, context("s"))).toEqual([]);
  });
});

describe("summarizeToolArgs", () => {
  it.each([
    ["read", { path: "src/app.ts" }, "read src/app.ts"],
    ["write", { path: "notes.md", content: "x".repeat(10_000) }, "write notes.md"],
    ["edit", { path: "a.ts", edits: [] }, "edit a.ts"],
    ["ls", { path: "." }, "ls ."],
    ["ls", {}, "ls"],
    ["exec", { command: "npm test" }, "exec: npm test"],
    ["exec", { command: "cd app &&\n  npm   run build" }, "exec: cd app && npm run build"],
    ["web_search", { query: "openclaw docs" }, "search: openclaw docs"],
    ["memory_search", { query: "deploy steps" }, "search: deploy steps"],
    ["web_fetch", { url: "https://example.com/a" }, "fetch https://example.com/a"],
    ["browser", { action: "open", url: "https://example.com" }, "browser open https://example.com"],
    ["apply_patch", { input: "*** Begin Patch\n*** Update File: a.ts\n@@\n*** Add File: b.ts\n*** End Patch" }, "patch a.ts, b.ts"],
    ["sessions_spawn", { task: "Check CI", label: "ci" }, "spawn ci: Check CI"],
    ["sessions_send", { sessionKey: "agent:ops:main", message: "ping" }, "send to agent:ops:main: ping"],
    ["process", { action: "poll", sessionId: "p1" }, "process poll p1"],
    ["cron", { action: "list" }, "cron list"],
    ["session_status", {}, "session_status"],
    ["file_fetch", { node: "mac", path: "/tmp/x" }, "file_fetch mac:/tmp/x"],
    ["exec", '{"command":"ls -la"}', "exec: ls -la"],
    ["mystery", { a: 1, b: "two", nested: { c: 3 } }, "mystery a=1 b=two"],
    ["mystery", null, "mystery"],
  ])("%s %j -> %s", (tool, args, expected) => {
    expect(summarizeToolArgs(tool, args)).toBe(expected);
  });

  it("stays on one line within 120 characters", () => {
    const summary = summarizeToolArgs("exec", { command: `echo ${"word ".repeat(100)}` });
    expect(summary.length).toBe(120);
    expect(summary.endsWith("…")).toBe(true);
  });
});

describe("normalizeGatewayEvent on the recorded 2026.9.6 events", () => {
  const frames = recordedEventsByKind();

  // Every kind in event-frames-by-kind.json, and what it must yield with the app's connection
  // (sessions.subscribe + caps ["tool-events"]).
  const expected: { [kind: string]: string[] } = {
    "connect.challenge": [],
    presence: [],
    "chat/status": [],
    "agent/run_status:preparing_workspace": [],
    "agent/run_status:preparing_context": [],
    "session.message": ["user_message"],
    "sessions.changed": [],
    "agent/lifecycle:start": ["run_start"],
    "agent/run_status:starting_model": [],
    "agent/lifecycle:model": [],
    "agent/assistant": [],
    "chat/delta": [],
    "agent/usage": [],
    "agent/lifecycle:finishing": [],
    "agent/lifecycle:end": ["run_end"],
    "chat/final": [],
    "agent/item:start": [],
    "agent/tool:start": ["tool_start"],
    "agent/tool:result": ["tool_end"],
    "agent/item:end": [],
    tick: [],
    health: [],
    "cron/started": [],
    "task/upserted": [],
    "cron/finished": [],
  };

  it("has an expectation for every recorded kind", () => {
    expect(Object.keys(frames).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))("%s", (kind) => {
    const frame = frames[kind]!;
    const events = normalizeGatewayEvent(frame);
    expect(kinds(events)).toEqual(expected[kind]);
    const payload = frame.payload as { ts?: number; agentId?: string; sessionKey?: string; runId?: string; data?: { startedAt?: number; endedAt?: number } };
    for (const event of events) expect(event).toMatchObject({ source: "gateway", agentId: "main", sessionKey: "agent:main:mc-demo-2" });
    switch (kind) {
      case "session.message":
        expect(events[0]).toMatchObject({ text: "hello from mission control", at: 1795317573855, recordId: "b1435a76-f2fa-495f-a278-9fa54e62643a", runId: "fdf9ffae-3094-4c57-81b1-6a5d13623e45" });
        break;
      case "agent/lifecycle:start":
        expect(events[0]).toMatchObject({ runId: payload.runId, sessionId: "064f3e79-9639-4a58-85ab-bed28918e9b1", at: payload.data!.startedAt });
        break;
      case "agent/lifecycle:end":
        expect(events[0]).toMatchObject({ runId: payload.runId, isError: false, summary: "stop", at: payload.data!.endedAt });
        break;
      case "agent/tool:start":
        expect(events[0]).toMatchObject({ tool: "ls", toolCallId: "call_mock_1795317576396", summary: "ls .", at: payload.ts });
        break;
      case "agent/tool:result":
        expect(events[0]).toMatchObject({ tool: "ls", toolCallId: "call_mock_1795317576396", isError: false, at: payload.ts });
        expect(events[0]!.text).toContain('"AGENTS.md"');
        break;
    }
  });

  it("a chat final is the message when the connection did not subscribe to session messages", () => {
    const events = normalizeGatewayEvent(frames["chat/final"]!, { sessionMessages: false });
    expect(events).toMatchObject([{ kind: "message", text: "mock echo: hello from mission control", runId: "fdf9ffae-3094-4c57-81b1-6a5d13623e45", at: 1795317576101 }]);
  });

  it("the full recorded run gives each fact once", () => {
    const frames = recordedSession("client-frames-full-run.jsonl").filter((line) => line.dir === "in" && line.frame.type === "event");
    const events = frames.flatMap((line) => normalizeGatewayEvent(line.frame as { event: string; payload: unknown }));
    expect(events.map((event) => [event.kind, event.tool ?? event.text?.slice(0, 22) ?? ""])).toEqual([
      ["user_message", "hello from mission con"],
      ["run_start", ""],
      ["message", "mock echo: hello from "],
      ["run_end", ""],
      ["user_message", 'please run TOOL:ls ARG'],
      ["run_start", ""],
      ["message", ""], // the tool-call message: no text, carries its usage
      ["tool_start", "ls"],
      ["tool_end", "ls"],
      ["message", 'mock: tool returned ".'],
      ["run_end", ""],
    ]);
    expect(events.filter((event) => event.usage).length).toBe(3);
    expect(new Set(events.map((event) => event.sessionKey))).toEqual(new Set(["agent:main:mc-final"]));
    for (const event of events.filter((event) => event.kind !== "user_message")) expect(event.runId).toBeTruthy();
  });

  it("the recorded cron run (a client without sessions.subscribe) gets its message from the chat final", () => {
    const frames = recordedSession("client-frames-cron-run.jsonl").filter((line) => line.dir === "in" && line.frame.type === "event");
    const events = frames.flatMap((line) => normalizeGatewayEvent(line.frame as { event: string; payload: unknown }, { sessionMessages: false }));
    // in arrival order: the chat final comes after the lifecycle end
    expect(kinds(events)).toEqual(["run_start", "run_end", "message"]);
    expect(events[0]!.sessionKey).toMatch(/^agent:main:cron:/);
  });
});

describe("normalizeGatewayEvent on shapes the samples lack", () => {
  const sessionKey = "agent:ops:subagent:9f2c";
  const agent = (stream: string, data: object, extra: object = {}) => ({
    event: "agent",
    payload: { runId: "r1", sessionKey: "agent:ops:main", stream, data, ts: 1000, ...extra },
  });

  it("takes agentId from the session key when the payload has none", () => {
    expect(normalizeGatewayEvent(agent("lifecycle", { phase: "start" }))).toMatchObject([{ kind: "run_start", agentId: "ops", at: 1000 }]);
  });

  it("an aborted or failed run ends in error; a stalled liveness is reported", () => {
    expect(normalizeGatewayEvent(agent("lifecycle", { phase: "end", aborted: true, stopReason: "aborted", endedAt: 1200 }))).toMatchObject([{ kind: "run_end", isError: true, at: 1200 }]);
    expect(normalizeGatewayEvent(agent("lifecycle", { phase: "end", stopReason: "error" }))[0]!.isError).toBe(true);
    expect(normalizeGatewayEvent(agent("lifecycle", { phase: "error", error: "provider down" }))).toMatchObject([{ kind: "run_end", isError: true, text: "provider down" }]);
    expect(kinds(normalizeGatewayEvent(agent("lifecycle", { phase: "finishing", livenessState: "stalled" })))).toEqual(["stalled"]);
    expect(kinds(normalizeGatewayEvent(agent("lifecycle", { phase: "model", livenessState: "waiting_for_approval" })))).toEqual(["waiting"]);
  });

  it("a sessions_spawn tool start also spawns; its result names the child", () => {
    const start = normalizeGatewayEvent(agent("tool", { phase: "start", name: "sessions_spawn", toolCallId: "c1", args: { task: "t", label: "l" } }));
    expect(start).toMatchObject([{ kind: "tool_start" }, { kind: "spawn", child: { label: "l", task: "t" } }]);
    const result = normalizeGatewayEvent(agent("tool", { phase: "result", name: "sessions_spawn", toolCallId: "c1", isError: false, result: { details: { childSessionKey: sessionKey } } }));
    expect(result).toMatchObject([{ kind: "tool_end", child: { sessionKey } }]);
  });

  it("a sub-agent session that ends or is deleted despawns; a running one does not", () => {
    const changed = (extra: object) => ({ event: "sessions.changed", payload: { sessionKey, agentId: "ops", ts: 5000, ...extra } });
    expect(normalizeGatewayEvent(changed({ reason: "deleted" }))).toMatchObject([{ kind: "despawn", child: { sessionKey }, at: 5000 }]);
    expect(normalizeGatewayEvent(changed({ reason: "agent.input.settled", session: { key: sessionKey, status: "done", hasActiveRun: false } }))).toMatchObject([{ kind: "despawn", isError: false }]);
    expect(normalizeGatewayEvent(changed({ session: { key: sessionKey, status: "failed" } }))).toMatchObject([{ kind: "despawn", isError: true }]);
    expect(normalizeGatewayEvent(changed({ reason: "agent.run.started", session: { key: sessionKey, status: "running", hasActiveRun: true } }))).toEqual([]);
    expect(normalizeGatewayEvent({ event: "sessions.changed", payload: { sessionKey: "agent:ops:main", reason: "deleted", ts: 1 } })).toEqual([]);
  });

  it("an approval or a question puts the agent in waiting", () => {
    const frame = { event: "exec.approval.requested", payload: { id: "a1", request: { command: "rm -rf build", sessionKey: "agent:ops:main", agentId: "ops" }, createdAtMs: 7000 } };
    expect(normalizeGatewayEvent(frame)).toMatchObject([{ kind: "waiting", summary: "approval: rm -rf build", agentId: "ops", at: 7000 }]);
  });

  it("without tool events, tools come from the session messages", () => {
    const message = (msg: object) => ({ event: "session.message", payload: { sessionKey: "agent:ops:main", message: { timestamp: 9000, ...msg } } });
    const call = message({ role: "assistant", content: [{ type: "toolCall", id: "c1", name: "exec", arguments: { command: "make" } }] });
    const result = message({ role: "toolResult", toolCallId: "c1", toolName: "exec", content: [{ type: "text", text: "ok" }], isError: false });
    expect(normalizeGatewayEvent(call)).toEqual([]);
    expect(normalizeGatewayEvent(call, { toolEvents: false })).toMatchObject([{ kind: "tool_start", summary: "exec: make" }]);
    expect(normalizeGatewayEvent(result, { toolEvents: false })).toMatchObject([{ kind: "tool_end", text: "ok" }]);
    expect(normalizeGatewayEvent(agent("tool", { phase: "start", name: "exec", args: {} }), { toolEvents: false })).toEqual([]);
  });

  it("a chat error is reported when session messages are not subscribed", () => {
    const frame = { event: "chat", payload: { runId: "r1", sessionKey: "agent:ops:main", state: "error", errorMessage: "boom", ts: 3 } };
    expect(normalizeGatewayEvent(frame, { sessionMessages: false })).toMatchObject([{ kind: "error", text: "boom", at: 3 }]);
  });

  it("never throws and never invents a time", () => {
    for (const frame of [{ event: "agent" }, { event: "agent", payload: null }, { event: "chat", payload: "x" }, { event: "session.message", payload: { sessionKey: "agent:a:b" } },
      { event: "agent", payload: { sessionKey: "agent:a:b", stream: "lifecycle", data: { phase: "start" } } }, { event: "sessions.changed", payload: { sessionKey: "nokey" } }]) {
      expect(normalizeGatewayEvent(frame)).toEqual([]);
    }
  });
});

/*
 * Recorded from a real openclaw 2026.9.6 gateway (scripts/openclaw-gateway.sh, mock model) by a
 * client that subscribed to sessions: the parent session calls sessions_spawn through Tool Search's
 * `tool_call` (how 2026.9 offers it by default); the child lists its workspace with `ls` and ends.
 * Files: test/fixtures/openclaw/subagent-spawn-2026.9.6/ (frames, chat.history of both sessions, rows).
 */
describe("a sub-agent spawned through tool_call, as recorded from openclaw 2026.9.6", () => {
  const dir = path.resolve(__dirname, "../../test/fixtures/openclaw/subagent-spawn-2026.9.6");
  const frames = parseJsonLines(readFileSync(path.join(dir, "frames.jsonl"), "utf8"), "").records as Array<{ event: string; payload: any }>;
  const history = JSON.parse(readFileSync(path.join(dir, "chat-history.json"), "utf8")) as { [key: string]: { messages: unknown[] } };
  const rows = JSON.parse(readFileSync(path.join(dir, "sessions-list.json"), "utf8")) as Array<{ key: string; spawnedBy?: string }>;
  const child = rows.find((row) => row.spawnedBy)!;
  const parentKey = child.spawnedBy!;
  const events = frames.flatMap((frame) => normalizeGatewayEvent(frame));
  const of = (sessionKey: string) => events.filter((event) => event.sessionKey === sessionKey);

  it("the wrapper call names the tool it runs; the nested call spawns once and its result names the child", () => {
    const parent = of(parentKey);
    const wrapper = parent.find((e) => e.kind === "tool_start" && e.tool === "tool_call")!;
    expect(wrapper.summary).toMatch(/^sessions_spawn: spawn lister/);
    expect(parent.filter((e) => e.kind === "spawn")).toMatchObject([{ child: { label: "lister", task: expect.stringContaining("TOOL:ls") } }]);
    const result = parent.find((e) => e.kind === "tool_end" && e.tool === "sessions_spawn")!;
    expect(result.child).toEqual({ sessionKey: child.key });
    // the spawn call returned before the child did anything
    const childStart = of(child.key).find((e) => e.kind === "run_start")!;
    expect(result.at).toBeLessThan(childStart.at);
  });

  it("the child's own run is seen, and it despawns only after its run ended", () => {
    const own = of(child.key);
    // (in arrival order; the text-less message only carries the tool call's usage and is not stored)
    const told = own.filter((e) => e.kind !== "despawn" && !(e.kind === "message" && !e.text));
    expect(kinds(told)).toEqual(["run_start", "user_message", "tool_start", "tool_end", "message", "run_end"]);
    expect(own.find((e) => e.kind === "tool_start")).toMatchObject({ tool: "ls" });
    const runEnd = own.find((e) => e.kind === "run_end")!;
    const despawns = own.filter((e) => e.kind === "despawn");
    expect(despawns.length).toBeGreaterThanOrEqual(1); // every row after the end says "done"; the store keeps one
    for (const despawn of despawns) {
      expect(despawn.at).toBeGreaterThanOrEqual(runEnd.at);
      expect(despawn).toMatchObject({ isError: false, child: { sessionKey: child.key, label: "lister" } });
    }
  });

  it("chat.history gives the same conversation: the wrapper, the nested spawn with its child, the replies", () => {
    const parent = history[parentKey]!.messages.flatMap((m) => normalizeHistoryMessage(m, { agentId: "main", sessionKey: parentKey }));
    expect(kinds(parent).slice(0, 7)).toEqual(["user_message", "tool_start", "tool_start", "spawn", "tool_end", "tool_end", "message"]);
    expect(parent.find((e) => e.kind === "tool_end" && e.tool === "sessions_spawn")!.child).toEqual({ sessionKey: child.key });
    expect(parent.filter((e) => e.kind === "spawn")).toHaveLength(1);
    for (const event of parent) expect(event.at).toEqual(expect.any(Number));

    const own = history[child.key]!.messages.flatMap((m) => normalizeHistoryMessage(m, { agentId: "main", sessionKey: child.key }));
    expect(kinds(own)).toEqual(["user_message", "tool_start", "tool_end", "message"]);
    expect(own.at(-1)).toMatchObject({ kind: "message", text: "mock done: ls" });
    // the same ls call as the live tool stream, at the same time
    const live = of(child.key).find((e) => e.kind === "tool_start")!;
    expect(own.find((e) => e.kind === "tool_start")).toMatchObject({ tool: "ls", toolCallId: live.toolCallId, summary: live.summary });
  });

  it("never throws on what chat.history might hold", () => {
    for (const message of [null, 1, "x", {}, { role: "custom", customType: "openclaw.nested-tool.v1", content: [null, { type: "toolCall" }] }, { role: "assistant", content: [] }]) {
      expect(() => normalizeHistoryMessage(message, { agentId: "a", sessionKey: "agent:a:b" })).not.toThrow();
    }
  });
});
