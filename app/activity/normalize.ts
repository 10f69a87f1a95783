/*
 * One normalized activity stream from both places an OpenClaw agent's work can be read:
 * gateway events (2026.8+, where transcripts live in the gateway's SQLite) and the JSONL transcript
 * files of gateways up to 2026.7. Pure functions, safe in the browser: no node imports, never throw.
 *
 * `at` is always the record's own time (message timestamp, event ts), never the time we read it;
 * a record without any timestamp yields nothing rather than a made-up one.
 */

import { isObj, num, obj, str, type JsonObject } from "./json";
import { redactSecrets } from "./redact";
import { agentIdFromSessionKey, isSubagentSessionKey } from "./session-key";

export { agentIdFromSessionKey, isSubagentSessionKey };

export type ActivityKind =
  | "run_start"
  | "run_end"
  | "tool_start"
  | "tool_end"
  | "message"
  | "user_message"
  | "thinking"
  | "waiting"
  | "stalled"
  | "spawn"
  | "despawn"
  | "error";

export interface ActivityUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cost?: number;
}

export interface ActivityEvent {
  source: "gateway" | "transcript";
  agentId: string;
  sessionKey: string;
  sessionId?: string;
  runId?: string;
  kind: ActivityKind;
  tool?: string;
  toolCallId?: string;
  /** short human summary; for tools, of the arguments ("read src/app.ts", "exec: npm test"); ≤ 120 chars */
  summary?: string;
  /** message text, ≤ 500 chars */
  text?: string;
  model?: string;
  /** an assistant message's usage, carried by exactly one event of that message, so sums are right */
  usage?: ActivityUsage;
  /** spawn: what the parent asked for; tool_end of sessions_spawn and despawn: the child's key */
  child?: { sessionKey?: string; label?: string; task?: string; agentId?: string };
  isError?: boolean;
  /** id of the source record (transcript entry id, gateway messageId); events of one record share it */
  recordId?: string;
  /** epoch ms from the record itself */
  at: number;
}

export const SUMMARY_MAX = 120;
export const TEXT_MAX = 500;

type Obj = JsonObject;
type Base = Pick<ActivityEvent, "source" | "agentId" | "sessionKey" | "sessionId" | "runId" | "recordId">;

/*
 * Events are built as literals and extended field by field: object spread is ~100x slower here
 * (measured on Node 20) and the transcript path has a throughput target. No key is left undefined.
 */
function make(base: Base, kind: ActivityKind, at: number, extra?: Partial<ActivityEvent>): ActivityEvent {
  const event: ActivityEvent = { source: base.source, agentId: base.agentId, sessionKey: base.sessionKey, kind, at };
  if (base.sessionId !== undefined) event.sessionId = base.sessionId;
  if (base.runId !== undefined) event.runId = base.runId;
  if (base.recordId !== undefined) event.recordId = base.recordId;
  if (extra) {
    for (const key in extra) {
      const value = extra[key as keyof ActivityEvent];
      if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return event;
}


function time(value: unknown): number | undefined {
  const n = num(value);
  if (n !== undefined) return n;
  if (typeof value !== "string") return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/** One line, whitespace collapsed, credentials masked, at most `max` characters. */
function oneLine(text: string, max = SUMMARY_MAX): string {
  return cut(redactSecrets(text.slice(0, max * 4)).replace(/\s+/g, " ").trim(), max);
}

/** Credentials masked, at most TEXT_MAX characters. */
function clipText(text: string | undefined): string | undefined {
  // cut first: the scan is over what is kept (a secret cut in half keeps at most a short prefix)
  return text === undefined || text === "" ? undefined : redactSecrets(cut(text, TEXT_MAX));
}


/* ---------------------------------------------------------------- tool argument summaries */

const PATH_TOOLS = new Set(["read", "write", "edit", "ls", "memory_get", "file_fetch", "file_write", "dir_list", "dir_fetch", "pdf", "view_image"]);
const SEARCH_TOOLS = new Set(["web_search", "x_search", "memory_search", "sessions_search"]);

function parseArgs(args: unknown): Obj {
  if (isObj(args)) return args;
  if (typeof args === "string" && args.trimStart().startsWith("{")) {
    try {
      return obj(JSON.parse(args));
    } catch {
      return {};
    }
  }
  return {};
}

function patchedFiles(input: string): string[] {
  const files: string[] = [];
  for (const match of input.matchAll(/^\*\*\* (?:Update|Add|Delete) File: (.+)$/gm)) files.push(match[1]!.trim());
  return files;
}

/** A short human summary of a tool call's arguments: "read src/app.ts", "exec: npm test", "search: openclaw docs". */
export function summarizeToolArgs(tool: string, args: unknown): string {
  const a = parseArgs(args);
  const first = (...keys: string[]) => keys.map((key) => a[key]).find((value) => typeof value === "string" && value.trim() !== "") as string | undefined;
  const join = (...parts: Array<string | undefined>) => oneLine(parts.filter(Boolean).join(" "));
  const path = first("path", "file_path", "filePath", "file");

  if (PATH_TOOLS.has(tool)) return join(tool === "memory_get" ? "read memory" : tool, str(a.node) && path ? `${a.node}:${path}` : path);
  if (SEARCH_TOOLS.has(tool)) {
    const query = first("query", "q");
    return query ? oneLine(`search: ${query}`) : tool;
  }
  switch (tool) {
    case "exec":
    case "bash": {
      const command = first("command", "cmd");
      return command ? oneLine(`exec: ${command}`) : tool;
    }
    case "process":
      return join("process", first("action"), first("sessionId"));
    case "apply_patch": {
      const files = patchedFiles(first("input", "patch") ?? "");
      return files.length ? oneLine(`patch ${files.join(", ")}`) : "apply_patch";
    }
    case "web_fetch":
      return join("fetch", first("url"));
    case "browser":
      return join("browser", first("action"), first("url", "targetUrl"));
    case "sessions_spawn": {
      const who = first("label", "taskName", "agentId");
      const task = first("task");
      return oneLine(`spawn${who ? ` ${who}` : ""}${task ? `: ${task}` : ""}`);
    }
    case "sessions_send": {
      const to = first("label", "sessionKey", "agentId");
      const message = first("message");
      return oneLine(`send${to ? ` to ${to}` : ""}${message ? `: ${message}` : ""}`);
    }
    case "sessions_history":
      return join("history", first("sessionKey"));
    case "message":
      return join("message", first("action"), first("target", "channel"));
    case "tts":
      return first("text") ? oneLine(`say: ${first("text")}`) : tool;
    case "ask_user":
      return first("question", "prompt", "text") ? oneLine(`ask: ${first("question", "prompt", "text")}`) : tool;
  }
  // Anything else: the tool, its action if it has one, then its first few short scalar arguments.
  const action = first("action");
  const rest = Object.entries(a)
    .filter(([key, value]) => key !== "action" && (typeof value === "string" || typeof value === "number" || typeof value === "boolean"))
    .slice(0, 3)
    .map(([key, value]) => `${key}=${String(value).slice(0, 60)}`);
  return join(tool, action, ...rest);
}

/* ---------------------------------------------------------------- messages (transcripts and session.message) */

interface MessageParts {
  text?: string;
  thinking?: string;
  toolCalls: Array<{ id?: string; name: string; args: unknown }>;
}

function messageParts(content: unknown): MessageParts {
  if (typeof content === "string") return { text: content, toolCalls: [] };
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: MessageParts["toolCalls"] = [];
  if (Array.isArray(content)) {
    for (const block of content) {
      if (!isObj(block)) continue;
      if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
      else if (block.type === "thinking" && typeof block.thinking === "string") thoughts.push(block.thinking);
      else if ((block.type === "toolCall" || block.type === "tool_use") && typeof block.name === "string") {
        toolCalls.push({ id: str(block.id), name: block.name, args: block.arguments ?? block.input ?? block.partialArgs });
      }
    }
  }
  return { text: texts.length ? texts.join("\n") : undefined, thinking: thoughts.length ? thoughts.join("\n") : undefined, toolCalls };
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}

function usageOf(value: unknown): ActivityUsage | undefined {
  if (!isObj(value)) return undefined;
  const usage: ActivityUsage = {};
  const input = num(value.input);
  const output = num(value.output);
  const cacheRead = num(value.cacheRead);
  const cacheWrite = num(value.cacheWrite);
  const cost = num(obj(value.cost).total) ?? num(value.cost);
  if (input !== undefined) usage.input = input;
  if (output !== undefined) usage.output = output;
  if (cacheRead !== undefined) usage.cacheRead = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWrite = cacheWrite;
  if (cost !== undefined) usage.cost = cost;
  return (input ?? output ?? cacheRead ?? cacheWrite ?? cost) !== undefined ? usage : undefined;
}

/** The child session a sessions_spawn result names, from its details or its JSON text. */
function spawnedChildKey(result: Obj): string | undefined {
  const details = obj(result.details);
  const direct = str(details.childSessionKey) ?? str(details.sessionKey) ?? str(result.childSessionKey);
  if (direct) return direct;
  const text = messageParts(result.content).text;
  const match = text?.match(/"(?:childSessionKey|sessionKey)"\s*:\s*"([^"]+)"/);
  return match?.[1];
}

function spawnEvent(base: Base, args: unknown, at: number, toolCallId: string | undefined): ActivityEvent {
  const a = parseArgs(args);
  const child: NonNullable<ActivityEvent["child"]> = {};
  if (str(a.label) ?? str(a.taskName)) child.label = str(a.label) ?? str(a.taskName);
  if (str(a.task)) child.task = cut(a.task as string, TEXT_MAX);
  if (str(a.agentId)) child.agentId = a.agentId as string;
  return make(base, "spawn", at, { tool: "sessions_spawn", toolCallId, summary: summarizeToolArgs("sessions_spawn", a), child });
}

/**
 * openclaw's Tool Search (on by default since 2026.9) offers most tools, sessions_spawn among them,
 * only through `tool_call {id, args}`, where id is the tool's name or catalog id
 * ("openclaw:core:sessions_spawn"). The gateway then reports the tool it ran as a nested call of its
 * own (tool events with parentToolCallId; an `openclaw.nested-tool.v1` message), so the wrapper
 * only says which tool it called: a spawn is taken from the nested call, once.
 */
function wrappedTool(name: string, args: unknown): { name: string; args: unknown } | undefined {
  if (name !== "tool_call") return undefined;
  const a = parseArgs(args);
  const id = str(a.id) ?? str(a.name);
  return id ? { name: id.slice(id.lastIndexOf(":") + 1), args: a.args } : undefined;
}

function toolStartEvents(base: Base, name: string, toolCallId: string | undefined, args: unknown, at: number): ActivityEvent[] {
  const inner = wrappedTool(name, args);
  const summary = inner ? oneLine(`${inner.name}: ${summarizeToolArgs(inner.name, inner.args)}`) : summarizeToolArgs(name, args);
  const start: ActivityEvent = make(base, "tool_start", at, { tool: name, toolCallId, summary });
  return name === "sessions_spawn" ? [start, spawnEvent(base, args, at, toolCallId)] : [start];
}

const NESTED_TOOL_MESSAGE = "openclaw.nested-tool.v1";

/** The nested call message: a toolCall block and, once it has run, a toolResult block. */
function normalizeNestedTool(message: Obj, base: Base, at: number): ActivityEvent[] {
  const events: ActivityEvent[] = [];
  for (const block of Array.isArray(message.content) ? message.content : []) {
    if (!isObj(block)) continue;
    const blockAt = time(block.timestamp) ?? at;
    if (block.type === "toolCall" && typeof block.name === "string") {
      events.push(...toolStartEvents(base, block.name, str(block.id), block.arguments, time(block.startedAt) ?? blockAt));
    } else if (block.type === "toolResult" || block.role === "toolResult") {
      events.push(toolEndEvent(base, str(block.toolName), str(block.toolCallId), block, block.isError === true, blockAt));
    }
  }
  return events;
}

function toolEndEvent(base: Base, name: string | undefined, toolCallId: string | undefined, result: Obj, isError: boolean, at: number): ActivityEvent {
  const event: ActivityEvent = make(base, "tool_end", at, { tool: name, toolCallId, isError, text: clipText(messageParts(result.content).text) });
  if (name === "sessions_spawn" && !isError) {
    const sessionKey = spawnedChildKey(result);
    if (sessionKey) event.child = { sessionKey };
  }
  return event;
}

interface MessageOptions {
  /** false when the tool events come from another source (the gateway's tool stream) */
  tools: boolean;
}

/** `fallbackTime` (the record's own, ISO or ms) is parsed only when the message has no timestamp. */
function normalizeMessage(message: Obj, base: Base, fallbackTime: unknown, options: MessageOptions): ActivityEvent[] {
  const at = time(message.timestamp) ?? time(fallbackTime);
  if (at === undefined) return [];
  const role = message.role;
  if (role === "user") {
    return [make(base, "user_message", at, { text: clipText(messageParts(message.content).text) })];
  }
  if (role === "toolResult") {
    if (!options.tools) return [];
    return [toolEndEvent(base, str(message.toolName), str(message.toolCallId), message, message.isError === true, at)];
  }
  if (role === "custom" && message.customType === NESTED_TOOL_MESSAGE) return options.tools ? normalizeNestedTool(message, base, at) : [];
  if (role !== "assistant") return [];

  const parts = messageParts(message.content);
  const events: ActivityEvent[] = [];
  if (parts.thinking) events.push(make(base, "thinking", at, { text: clipText(parts.thinking) }));
  if (parts.text) events.push(make(base, "message", at, { text: clipText(parts.text) }));
  if (message.stopReason === "error") {
    events.push(make(base, "error", at, { isError: true, text: clipText(str(message.errorMessage) ?? "The model call failed") }));
  }
  if (options.tools) for (const call of parts.toolCalls) events.push(...toolStartEvents(base, call.name, call.id, call.args, at));
  // Usage belongs to the message once; a tool-only message with no tool events still reports it.
  const usage = usageOf(message.usage);
  const model = str(message.model);
  if (events.length === 0 && usage) events.push(make(base, "message", at));
  if (events[0]) {
    if (usage) events[0].usage = usage;
    if (model) events[0].model = model;
  }
  return events;
}

/** The run a message belongs to: stamped on assistant messages, in the idempotency key of user ones. */
function runIdOf(message: Obj): string | undefined {
  const stamped = str(obj(message.__openclaw).runId);
  if (stamped) return stamped;
  const key = str(message.idempotencyKey);
  return key?.endsWith(":user") ? key.slice(0, -5) : undefined;
}

/* ---------------------------------------------------------------- transcript records */

export interface TranscriptContext {
  agentId: string;
  sessionKey: string;
  sessionId: string;
}

function normalizeTrajectoryRecord(record: Obj, context: TranscriptContext): ActivityEvent[] {
  const at = time(record.ts);
  if (at === undefined) return [];
  const base: Base = {
    source: "transcript",
    agentId: str(obj(record.data).agentId) ?? context.agentId,
    sessionKey: str(record.sessionKey) ?? context.sessionKey,
    sessionId: str(record.sessionId) ?? context.sessionId,
    runId: str(record.runId),
  };
  if (record.type === "session.started") return [make(base, "run_start", at, { model: str(record.modelId) })];
  if (record.type === "session.ended") {
    const data = obj(record.data);
    const status = str(data.status);
    const failed = (status !== undefined && status !== "success") || data.aborted === true || data.timedOut === true;
    return [make(base, "run_end", at, { isError: failed, summary: status })];
  }
  return [];
}

/**
 * One transcript record (a parsed JSONL line) -> activity. Messages become user_message, message,
 * thinking, tool_start (one per toolCall; sessions_spawn also a spawn) and tool_end; the trajectory
 * files of 2026.7 (`<sessionId>.trajectory.jsonl`) give run_start/run_end; headers, model and
 * thinking-level changes and custom records carry no activity. Malformed input yields [].
 */
export function normalizeTranscriptRecord(record: unknown, context: TranscriptContext): ActivityEvent[] {
  if (!isObj(record)) return [];
  if (record.traceSchema === "openclaw-trajectory") return normalizeTrajectoryRecord(record, context);
  if (record.type !== "message" || !isObj(record.message)) return [];
  const message = record.message;
  const base: Base = {
    source: "transcript",
    agentId: context.agentId,
    sessionKey: context.sessionKey,
    sessionId: context.sessionId,
    runId: runIdOf(message),
    recordId: str(record.id),
  };
  return normalizeMessage(message, base, record.timestamp, { tools: true });
}

/**
 * One message of `chat.history` (a transcript message with the gateway's `__openclaw` meta) ->
 * activity, as a transcript record would give it: tools from its toolCall blocks, tool results and
 * nested-tool messages.
 */
export function normalizeHistoryMessage(message: unknown, context: { agentId: string; sessionKey: string; sessionId?: string }): ActivityEvent[] {
  try {
    if (!isObj(message)) return [];
    const meta = obj(message.__openclaw);
    const base: Base = {
      source: "gateway",
      agentId: context.agentId,
      sessionKey: context.sessionKey,
      sessionId: context.sessionId,
      runId: runIdOf(message),
      recordId: str(meta.id),
    };
    return normalizeMessage(message, base, meta.recordTimestampMs, { tools: true });
  } catch {
    return [];
  }
}

/* ---------------------------------------------------------------- gateway events */

export interface GatewayNormalizeOptions {
  /**
   * The connection called sessions.subscribe, so `session.message` carries every message (with
   * usage and model). Then a chat final is the same message again and yields nothing. Default true.
   */
  sessionMessages?: boolean;
  /**
   * The connection sent caps ["tool-events"], so the agent tool stream carries tool start/result.
   * Then toolCall blocks and toolResult messages in session.message yield no tool events. Default true.
   */
  toolEvents?: boolean;
}

/** Gateway events that put an agent in "waiting" (approvals, questions). */
export const WAITING_EVENTS = new Set(["exec.approval.requested", "plugin.approval.requested", "openclaw.approval.requested", "question.requested"]);
const ENDED_REASON = /delet|remov|archiv|kill|abort|close|expire|terminat|^end|ended$/i;
// openclaw 2026.9's terminal session states are done, failed, interrupted, killed and timeout; the
// rest are spellings other versions and task rows use.
const ENDED_STATUS = new Set(["done", "completed", "succeeded", "ended", "failed", "error", "interrupted", "killed", "aborted", "timeout", "timed_out", "cancelled", "canceled"]);
const FAILED_STATUS = new Set(["failed", "error", "interrupted", "killed", "aborted", "timeout", "timed_out"]);
const STALLED_LIVENESS = new Set(["stalled", "stuck", "hung", "unresponsive"]);
const WAITING_LIVENESS = /^(waiting|blocked|awaiting|paused)/;

function gatewayBase(payload: Obj): Base | undefined {
  const session = obj(payload.session);
  const sessionKey = str(payload.sessionKey) ?? str(session.key);
  const agentId = str(payload.agentId) ?? str(session.agentId) ?? agentIdFromSessionKey(sessionKey);
  if (!sessionKey || !agentId) return undefined;
  return { source: "gateway", agentId, sessionKey, sessionId: str(payload.sessionId) ?? str(session.sessionId), runId: str(payload.runId) };
}

function normalizeAgentEvent(payload: Obj, base: Base, options: Required<GatewayNormalizeOptions>): ActivityEvent[] {
  const data = obj(payload.data);
  const ts = time(payload.ts);
  if (payload.stream === "lifecycle") {
    const events: ActivityEvent[] = [];
    const phase = data.phase;
    if (phase === "start") {
      const at = time(data.startedAt) ?? ts;
      if (at !== undefined) events.push(make(base, "run_start", at));
    } else if (phase === "end" || phase === "error") {
      const at = time(data.endedAt) ?? ts;
      const error = str(data.error) ?? str(obj(data.error).message) ?? str(data.errorMessage);
      const failed = phase === "error" || data.aborted === true || data.stopReason === "error" || error !== undefined;
      if (at !== undefined) events.push(make(base, "run_end", at, { isError: failed, summary: str(data.stopReason), text: clipText(error) }));
    }
    const liveness = str(data.livenessState);
    if (liveness && ts !== undefined && phase !== "end") {
      if (STALLED_LIVENESS.has(liveness)) events.push(make(base, "stalled", ts, { summary: liveness }));
      else if (WAITING_LIVENESS.test(liveness)) events.push(make(base, "waiting", ts, { summary: liveness }));
    }
    return events;
  }
  if (payload.stream === "tool" && options.toolEvents && ts !== undefined) {
    const name = str(data.name);
    if (!name) return [];
    if (data.phase === "start") return toolStartEvents(base, name, str(data.toolCallId), data.args, ts);
    if (data.phase === "result") return [toolEndEvent(base, name, str(data.toolCallId), obj(data.result), data.isError === true, ts)];
  }
  // assistant/usage deltas, run_status and item streams are progress, not activity
  return [];
}

function normalizeSessionsChanged(payload: Obj, base: Base): ActivityEvent[] {
  if (!isSubagentSessionKey(base.sessionKey)) return [];
  const session = obj(payload.session);
  const reason = str(payload.reason) ?? "";
  const status = str(session.status) ?? str(payload.status);
  const gone = ENDED_REASON.test(reason) || payload.deleted === true || session.archived === true || payload.archived === true;
  const finished = status !== undefined && ENDED_STATUS.has(status) && session.hasActiveRun !== true && payload.hasActiveRun !== true;
  if (!gone && !finished) return [];
  // A finished session's row carries its end time; `ts` may be that of an earlier run phase the
  // row was sent for.
  const at = (finished ? time(session.endedAt) : undefined) ?? time(payload.ts) ?? time(session.endedAt) ?? time(payload.updatedAt);
  if (at === undefined) return [];
  return [subagentEnd({ ...base, at, status, label: str(payload.label) ?? str(session.label), removed: gone ? reason || "removed" : undefined })];
}

/**
 * A sub-agent's end: from its own sessions.changed, or from a row (polled, or listed again after a
 * reconnect) that closes a session we still had open. `removed` says why it is gone when it was
 * deleted or archived rather than finished.
 */
export function subagentEnd(end: { source: ActivityEvent["source"]; agentId: string; sessionKey: string; sessionId?: string; at: number; status?: string; label?: string; removed?: string }): ActivityEvent {
  const { status } = end;
  return make({ source: end.source, agentId: end.agentId, sessionKey: end.sessionKey, sessionId: end.sessionId }, "despawn", end.at, {
    isError: status !== undefined && FAILED_STATUS.has(status),
    summary: end.removed ?? status,
    child: withoutUndefined({ sessionKey: end.sessionKey, label: end.label }),
  });
}

function normalizeWaiting(frame: { event: string }, payload: Obj): ActivityEvent[] {
  const request = obj(payload.request);
  const base = gatewayBase({
    sessionKey: payload.sessionKey ?? request.sessionKey,
    agentId: payload.agentId ?? request.agentId,
    sessionId: payload.sessionId ?? request.sessionId,
    runId: payload.runId ?? request.runId,
  });
  const at = time(payload.createdAtMs) ?? time(payload.ts) ?? time(request.createdAtMs);
  if (!base || at === undefined) return [];
  const what = str(request.command) ?? str(payload.question) ?? str(request.question) ?? str(payload.title) ?? str(request.title);
  const label = frame.event.startsWith("question") ? "question" : "approval";
  return [make(base, "waiting", at, { summary: oneLine(what ? `${label}: ${what}` : `${label} requested`), recordId: str(payload.id) })];
}

/**
 * One gateway event frame -> activity. `agent` lifecycle gives run_start/run_end, its tool stream
 * tool_start/tool_end (and spawn for sessions_spawn); `session.message` gives user_message, message
 * and thinking; `chat` final gives message only without sessions.subscribe; `sessions.changed` gives
 * despawn when a sub-agent session ends; approval and question requests give waiting. Everything
 * else (tick, health, presence, deltas) yields []. Each fact is taken from one source only, so the
 * stream has no duplicates when the connection is set up as `options` says.
 */
export function normalizeGatewayEvent(frame: { event: string; payload?: unknown }, options: GatewayNormalizeOptions = {}): ActivityEvent[] {
  try {
    const opts: Required<GatewayNormalizeOptions> = { sessionMessages: options.sessionMessages ?? true, toolEvents: options.toolEvents ?? true };
    const payload = obj(frame?.payload);
    if (WAITING_EVENTS.has(frame.event)) return normalizeWaiting(frame, payload);
    if (frame.event !== "agent" && frame.event !== "session.tool" && frame.event !== "chat" && frame.event !== "session.message" && frame.event !== "sessions.changed") return [];
    const base = gatewayBase(payload);
    if (!base) return [];
    switch (frame.event) {
      // openclaw 2026.9 sends a run's tool stream as `agent` only to the connection that started the
      // run; connections that called sessions.subscribe get the same payload as `session.tool`.
      case "agent":
      case "session.tool":
        return normalizeAgentEvent(payload, base, opts);
      case "sessions.changed":
        return normalizeSessionsChanged(payload, base);
      case "session.message": {
        if (!isObj(payload.message)) return [];
        const meta = obj(payload.message.__openclaw);
        const withIds: Base = {
          source: base.source,
          agentId: base.agentId,
          sessionKey: base.sessionKey,
          sessionId: base.sessionId,
          runId: base.runId ?? runIdOf(payload.message),
          recordId: str(payload.messageId) ?? str(meta.id),
        };
        return normalizeMessage(payload.message, withIds, meta.recordTimestampMs, { tools: !opts.toolEvents });
      }
      case "chat": {
        const message = obj(payload.message);
        const at = time(message.timestamp) ?? time(payload.ts);
        if (at === undefined) return [];
        if (payload.state === "error") return opts.sessionMessages ? [] : [make(base, "error", at, { isError: true, text: clipText(str(payload.errorMessage) ?? "The run failed") })];
        if (payload.state !== "final" || opts.sessionMessages) return [];
        const text = messageParts(message.content).text;
        return text ? [make(base, "message", at, { text: clipText(text) })] : [];
      }
    }
  } catch {
    // a frame shaped in a way nobody foresaw is not worth a crash
  }
  return [];
}

/* ---------------------------------------------------------------- JSON lines */

/**
 * Splits `carry + chunk` into JSON records. The text after the last newline is returned as the new
 * carry (a line still being written); blank lines are skipped; lines that do not parse are counted.
 */
export function parseJsonLines(chunk: string, carry: string): { records: unknown[]; carry: string; malformed: number } {
  const text = carry === "" ? chunk : carry + chunk;
  const records: unknown[] = [];
  let malformed = 0;
  let start = 0;
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
    let end = newline;
    if (end > start && text.charCodeAt(end - 1) === 13) end -= 1; // CRLF
    if (end > start) {
      const line = text.slice(start, end);
      try {
        records.push(JSON.parse(line));
      } catch {
        if (line.trim() !== "") malformed += 1;
      }
    }
    start = newline + 1;
  }
  return { records, carry: text.slice(start), malformed };
}
