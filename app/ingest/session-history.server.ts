import { GatewayConnection, isSettled, type ChatHistoryResult } from "~/gateway";
import type { Gateway } from "~/db/entities";
import { listActivity } from "~/models/activity.server";
import type { AgentSessionView } from "~/models/agent-session.server";
import { getGateway, openGatewayToken } from "~/models/gateway.server";
import { describeActivity } from "~/activity/describe";
import { normalizeHistoryMessage, type ActivityEvent, type ActivityKind } from "~/activity/normalize";
import { loadDeviceIdentity } from "./device-identity.server";
import { getGatewayRuntime } from "./gateway-runtime.server";

/*
 * What a session said and did, for its detail page. On gateways of 2026.8 and later the transcript
 * lives in the gateway, so the conversation (messages, tool calls and results) comes from
 * `chat.history` — complete even for sessions older than our connection. What only the event stream
 * knows (runs starting and ending, a sub-agent finishing, waiting, stalls) comes from the activity we
 * recorded. Without a reachable gateway, and for sessions read from transcript files, the recorded
 * activity is the whole story.
 */

export const HISTORY_LIMIT = 100;
/** chat.history answers at most this many messages (2026.9.6: "limit must be <= 1000"), and has no cursor */
export const HISTORY_LIMIT_MAX = 1000;
/** recorded events read beside the gateway's (at most) 1,000 messages: about three per two messages */
const RECORDED_MAX = 3 * HISTORY_LIMIT_MAX;
/** The steps "Show earlier messages" takes. */
export const HISTORY_STEPS = [HISTORY_LIMIT, 300, HISTORY_LIMIT_MAX] as const;
const HISTORY_TIMEOUT_MS = 5_000;

/** Kinds chat.history tells completely; the recorded stream keeps the rest. */
const CONVERSATION_KINDS = new Set<ActivityKind>(["user_message", "message", "thinking", "tool_start", "tool_end", "spawn", "error"]);

export interface TimelineItem {
  id: string;
  kind: string;
  /** the line a person reads ("main → exec: npm test") */
  message: string;
  text: string | null;
  tool: string | null;
  summary: string | null;
  isError: boolean;
  at: number;
  /** a sessions_spawn call's (or its spawn's) child session, once the gateway has named it */
  childKey: string | null;
  toolCallId: string | null;
}

export interface SessionTimeline {
  items: TimelineItem[];
  /** "gateway": the conversation is the gateway's own history; "recorded": only what we recorded */
  source: "gateway" | "recorded";
  /** why the gateway's history is not shown, when it should have been */
  unavailable: string | null;
  /** the gateway holds older messages than those shown (or, recorded, older events) */
  hasMore: boolean;
  /** how many messages (or recorded events) were asked for */
  limit: number;
}

type HistoryAnswer = { ok: true; result: ChatHistoryResult } | { ok: false; reason: string };

/** chat.history on this process's connection when it owns the gateway, else on a short one of its own. */
async function askHistory(gateway: Gateway, sessionKey: string, limit: number): Promise<HistoryAnswer> {
  if (gateway.state !== "online") return { ok: false, reason: `the gateway is ${gateway.state}` };
  try {
    const owned = getGatewayRuntime()?.connectionFor(gateway.id);
    if (owned && owned.status.state === "online") {
      return { ok: true, result: await owned.api.chatHistory({ sessionKey, limit }, { timeoutMs: HISTORY_TIMEOUT_MS }) };
    }
    // Another replica owns this gateway: ask it ourselves, as the same device.
    const token = openGatewayToken(gateway);
    const connection = new GatewayConnection({
      url: gateway.url,
      identity: await loadDeviceIdentity(),
      ...(token ? { token } : {}),
      client: { displayName: "Mission Control" },
      reconnect: false,
      connectTimeoutMs: HISTORY_TIMEOUT_MS,
      requestTimeoutMs: HISTORY_TIMEOUT_MS,
    });
    try {
      connection.start();
      const settled = await connection.waitFor(isSettled, HISTORY_TIMEOUT_MS + 1_000);
      if (settled.state !== "online") return { ok: false, reason: settled.lastError ?? `the gateway is ${settled.state}` };
      return { ok: true, result: await connection.api.chatHistory({ sessionKey, limit }) };
    } finally {
      await connection.close();
    }
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function storedItem(row: Awaited<ReturnType<typeof listActivity>>[number]): TimelineItem {
  const data = row.data as Record<string, unknown>;
  const text = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : null);
  return {
    id: `e${row.id}`,
    kind: text("kind") ?? row.type,
    message: row.message,
    text: text("text"),
    tool: text("tool"),
    summary: text("summary"),
    isError: data.isError === true,
    at: row.createdAt.getTime(),
    childKey: typeof (data.child as { sessionKey?: unknown } | undefined)?.sessionKey === "string" ? (data.child as { sessionKey: string }).sessionKey : null,
    toolCallId: text("toolCallId"),
  };
}

function historyItem(event: ActivityEvent, index: number, agentName: string): TimelineItem {
  return {
    id: `h${event.recordId ?? ""}:${index}`,
    kind: event.kind,
    message: describeActivity(event, agentName),
    text: event.text ?? null,
    tool: event.tool ?? null,
    summary: event.summary ?? null,
    isError: event.isError === true,
    at: event.at,
    childKey: event.child?.sessionKey ?? null,
    toolCallId: event.toolCallId ?? null,
  };
}

/**
 * The gateway's conversation merged with the recorded run and sub-agent events, oldest first. An
 * assistant turn that only called a tool has no line of its own (its tool lines tell it).
 */
export function mergeTimeline({ recorded, history, agentName, hasMore }: { recorded: TimelineItem[]; history: ActivityEvent[]; agentName: string; hasMore: boolean }): TimelineItem[] {
  const conversation = history.filter((event) => !(event.kind === "message" && !event.text?.trim())).map((event, index) => historyItem(event, index, agentName));
  // When older messages are cut off, so are the runs they belonged to.
  const since = hasMore && conversation.length > 0 ? conversation[0]!.at : -Infinity;
  const lifecycle = recorded.filter((item) => !CONVERSATION_KINDS.has(item.kind as ActivityKind) && item.at >= since);
  return linkSpawns([...conversation, ...lifecycle].sort((a, b) => a.at - b.at));
}

/** A spawn learns its child from the result of the same sessions_spawn call. */
function linkSpawns(items: TimelineItem[]): TimelineItem[] {
  const children = new Map<string, string>();
  for (const item of items) if (item.kind === "tool_end" && item.toolCallId && item.childKey) children.set(item.toolCallId, item.childKey);
  for (const item of items) if (item.kind === "spawn" && !item.childKey && item.toolCallId) item.childKey = children.get(item.toolCallId) ?? null;
  return items;
}

/**
 * `childKeys`: the session's sub-agents, whose ends belong in the parent's story too ("Sub-agent
 * finished: lister") though they are recorded on the child.
 */
export async function sessionTimeline({
  orgId,
  session,
  childKeys = [],
  limit = HISTORY_LIMIT,
}: {
  orgId: string;
  session: AgentSessionView;
  childKeys?: string[];
  /** messages asked of the gateway (and recorded events read), 1–1000 */
  limit?: number;
}): Promise<SessionTimeline> {
  limit = Math.min(HISTORY_LIMIT_MAX, Math.max(1, Math.floor(limit)));
  // Beside the gateway's messages, the runs and sub-agent ends of the same stretch: a turn records
  // about three events for every two messages.
  const readLimit = Math.min(RECORDED_MAX, session.gatewayId ? limit * 3 : limit);
  const [rows, childEnds, gateway] = await Promise.all([
    listActivity({ orgId, sessionKey: session.sessionKey, sessionGatewayId: session.gatewayId, limit: readLimit, maxLimit: RECORDED_MAX }),
    childKeys.length > 0
      ? listActivity({ orgId, sessionKeys: childKeys, sessionGatewayId: session.gatewayId, type: "agent.despawn", limit: HISTORY_LIMIT })
      : Promise.resolve([]),
    session.gatewayId ? getGateway({ orgId, id: session.gatewayId }) : Promise.resolve(null),
  ]);
  // Rows come newest first; oldest first before the stable sort keeps the recording order among
  // equal times (a sub-agent's run_end and its despawn often share a millisecond).
  const recorded = [...rows.reverse(), ...childEnds.reverse()].map(storedItem).sort((a, b) => a.at - b.at);
  /** what we recorded is the whole story; `unavailable` says why the gateway's is not shown */
  const recordedOnly = (unavailable: string | null): SessionTimeline => ({
    items: linkSpawns(recorded),
    source: "recorded",
    unavailable,
    hasMore: rows.length >= readLimit,
    limit: readLimit,
  });
  if (!gateway) return recordedOnly(null);

  const answer = await askHistory(gateway, session.sessionKey, limit);
  if (!answer.ok) return recordedOnly(answer.reason);
  // A gateway reset (or a deleted session) answers with no messages: what we recorded is all there is.
  if (answer.result.messages.length === 0 && recorded.some((item) => CONVERSATION_KINDS.has(item.kind as ActivityKind))) {
    return recordedOnly("the gateway no longer holds this session's messages");
  }
  const context = { agentId: session.externalAgentId, sessionKey: session.sessionKey, ...(session.sessionId ? { sessionId: session.sessionId } : {}) };
  const history = answer.result.messages.flatMap((message) => normalizeHistoryMessage(message, context));
  const hasMore = answer.result.hasMore === true;
  return { items: mergeTimeline({ recorded, history, agentName: session.agentName ?? session.externalAgentId, hasMore }), source: "gateway", unavailable: null, hasMore, limit };
}
