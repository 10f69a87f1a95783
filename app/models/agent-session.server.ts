import { subagentEnd, type ActivityEvent } from "~/activity/normalize";
import { topic } from "~/lib/topics";
import { contextPercent, type SessionFacts } from "~/activity/session-row";
import { db, transaction } from "~/db/data-source.server";
import type { Queryable } from "~/db/rows";
import { publish } from "~/realtime/publish.server";
import { agentLookup, recordSessionEvents, sessionTopic } from "./agent-session-activity.server";
import * as sql from "./agent-session.queries.server";

export { sessionTopic } from "./agent-session-activity.server";
export type { SessionUsageRow } from "./agent-session.queries.server";

/*
 * Agent sessions: rows from the gateway (or legacy sessions.json) merged with what the activity
 * stream says (current tool, last message, last activity). A session has ended when `endedAt` is
 * set; a sub-agent names its parent by key, on the same gateway. Statements live in
 * agent-session.queries.server.ts, what activity does to a session in agent-session-activity.
 */

export interface SessionUsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  costUsd: number;
  /** YYYY-MM-DD, first day the gateway counted */
  since: string | null;
}

export interface AgentSessionView {
  id: string;
  gatewayId: string | null;
  sessionKey: string;
  sessionId: string | null;
  agentId: string | null;
  agentName: string | null;
  agentColor: string | null;
  externalAgentId: string;
  type: string;
  label: string | null;
  model: string | null;
  parentSessionKey: string | null;
  contextTokens: number | null;
  totalTokens: number | null;
  contextPercent: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  status: string | null;
  currentTool: string | null;
  currentSummary: string | null;
  lastMessage: string | null;
  lastActivityAt: number | null;
  endedAt: number | null;
  /** every model call of the session since `since` (the gateway's sessions.usage); null when not known */
  usage: SessionUsageTotals | null;
}

/** A page lists at most this many sessions (newest activity first). */
export const SESSION_LIST_LIMIT = 500;

export function toSessionView(row: sql.AgentSessionRow): AgentSessionView {
  const { usageInputTokens, usageOutputTokens, usageCacheReadTokens, usageTotalTokens, usageCostUsd, usageSince, usageUpdatedAt, lastActivityAt, endedAt, ...rest } = row;
  return {
    ...rest,
    contextPercent: contextPercent(row.totalTokens, row.contextTokens),
    lastActivityAt: lastActivityAt?.getTime() ?? null,
    endedAt: endedAt?.getTime() ?? null,
    usage:
      usageUpdatedAt === null
        ? null
        : {
            inputTokens: usageInputTokens ?? 0,
            outputTokens: usageOutputTokens ?? 0,
            cacheReadTokens: usageCacheReadTokens ?? 0,
            totalTokens: usageTotalTokens ?? 0,
            costUsd: usageCostUsd ?? 0,
            since: usageSince,
          },
  };
}

/**
 * An agent of the sessions page's filter: its gateway and the gateway's agent id, as one value
 * ("<gateway id>:<agent id>", "files:<agent id>" for legacy transcripts). The agent id alone
 * merged the "main" agents of every gateway.
 */
export interface SessionAgent {
  id: string;
  name: string;
  gatewayId: string | null;
}

const FILES = "files";

export function sessionAgentKey({ gatewayId, externalAgentId }: { gatewayId: string | null; externalAgentId: string }): string {
  return `${gatewayId ?? FILES}:${externalAgentId}`;
}

function parseSessionAgentKey(key: string): { gatewayId: string | null; externalAgentId: string } | null {
  const colon = key.indexOf(":");
  if (colon < 1 || colon === key.length - 1) return null;
  const gateway = key.slice(0, colon);
  return { gatewayId: gateway === FILES ? null : gateway, externalAgentId: key.slice(colon + 1) };
}

/** `agent`: a key of listSessionAgents (a key that does not parse matches no session). */
export async function listAgentSessions(
  orgId: string,
  { includeEnded = true, type, agent }: { includeEnded?: boolean; type?: string; agent?: string } = {},
): Promise<AgentSessionView[]> {
  const parsed = agent ? parseSessionAgentKey(agent) : null;
  if (agent && !parsed) return [];
  const rows = await sql.selectSessions(db().manager, { orgId, includeEnded, type: type ?? null, agent: parsed, limit: SESSION_LIST_LIMIT });
  return rows.map(toSessionView);
}

/** The agents that have sessions, one per gateway, for the sessions page's filter. */
export async function listSessionAgents(orgId: string): Promise<SessionAgent[]> {
  const rows = await sql.selectSessionAgents(db().manager, orgId);
  return rows.map((row) => ({ id: sessionAgentKey(row), name: row.name, gatewayId: row.gatewayId }));
}

export async function getAgentSession({ orgId, id }: { orgId: string; id: string }): Promise<AgentSessionView | null> {
  const row = await sql.findSession(db().manager, { orgId, id });
  return row ? toSessionView(row) : null;
}

type SessionPlace = Pick<AgentSessionView, "gatewayId" | "sessionKey" | "parentSessionKey">;

/** The sub-agents `session` spawned, newest activity first. */
export async function listChildSessions({ orgId, session }: { orgId: string; session: SessionPlace }): Promise<AgentSessionView[]> {
  const rows = await sql.selectChildSessions(db().manager, { orgId, gatewayId: session.gatewayId, parentSessionKey: session.sessionKey, limit: SESSION_LIST_LIMIT });
  return rows.map(toSessionView);
}

/** The session that spawned `session`, when it is known here. */
export async function getParentSession({ orgId, session }: { orgId: string; session: SessionPlace }): Promise<AgentSessionView | null> {
  if (!session.parentSessionKey) return null;
  const row = await sql.findSessionByKey(db().manager, { orgId, gatewayId: session.gatewayId, sessionKey: session.parentSessionKey });
  return row ? toSessionView(row) : null;
}

/** A batch of rows names each session's topic up to this many; a bigger one (a first subscribe) only "sessions". */
const SESSION_TOPICS_PER_BATCH = 50;
const batchTopics = (ids: string[]) => [topic.sessions, ...(ids.length <= SESSION_TOPICS_PER_BATCH ? ids.map(sessionTopic) : [])];

/**
 * Gateway rows (poll or sessions.changed) into the table; one live event for the whole batch. A row
 * that closes a sub-agent open until now gives it its "finished" line (it ended while nobody
 * listened). Callers hold the gateway's handling order (see the gateway runtime), so "open until
 * now" cannot race an event.
 */
export async function upsertSessionRows({
  orgId,
  gatewayId,
  sessions,
  observedAt = null,
}: {
  orgId: string;
  gatewayId: string | null;
  sessions: SessionFacts[];
  /** when the rows were asked for, if handled later than that (a poll): newer writes keep their status */
  observedAt?: Date | null;
}) {
  if (sessions.length === 0) return;
  await transaction(async (tx) => {
    const agentOf = agentLookup(tx, orgId, gatewayId);
    const ids: string[] = [];
    const ends: ActivityEvent[] = [];
    for (const facts of sessions) {
      const agent = await agentOf(facts.externalAgentId);
      const row = await sql.upsertSessionFacts(tx, { orgId, gatewayId, agentId: agent?.id ?? null, facts, observedAt });
      ids.push(row.id);
      // the row's own end time, as stored (never the time we happened to read it)
      if (facts.type === "subagent" && row.wasOpen && row.endedAt !== null) {
        ends.push(subagentEnd({
          source: gatewayId ? "gateway" : "transcript", agentId: facts.externalAgentId, sessionKey: facts.sessionKey,
          ...(facts.sessionId ? { sessionId: facts.sessionId } : {}), at: row.endedAt.getTime(),
          // a closing row often names no label: the one stored earlier (from the spawn) still says who finished
          ...(facts.status ? { status: facts.status } : {}), ...(row.label ? { label: row.label } : {}),
        }));
      }
    }
    // the rows above already closed these sessions: their ends are recorded as they are
    if (ends.length > 0) await recordSessionEvents(tx, { orgId, gatewayId, events: ends, closedHere: true, agentOf });
    await publish(tx, { orgId, type: "sessions.changed", topics: batchTopics(ids), data: { count: sessions.length, keys: sessions.slice(0, 20).map((s) => s.sessionKey) } });
  });
}

/**
 * A gateway's per-session usage (sessions.usage) onto its session rows. Only rows whose figures
 * changed are written and announced, so a quiet gateway's poll publishes nothing here.
 */
export async function storeSessionUsage({ orgId, gatewayId, since, rows }: { orgId: string; gatewayId: string; since: string | null; rows: sql.SessionUsageRow[] }) {
  if (rows.length === 0) return;
  await transaction(async (tx) => {
    const changed = await sql.updateSessionUsage(tx, { orgId, gatewayId, since, rows });
    if (changed.length === 0) return;
    await publish(tx, { orgId, type: "sessions.changed", topics: batchTopics(changed), data: { count: changed.length, reason: "usage" } });
  });
}

/**
 * The normalized activity of one source read (a gateway frame, a chunk of transcript) in one
 * transaction: each event becomes an activity row with the record's own time (and so `event.new`
 * on the stream), and the session it belongs to learns its current tool, last message and activity.
 */
export async function recordAgentActivity({
  orgId,
  gatewayId,
  events,
  within,
}: {
  orgId: string;
  gatewayId: string | null;
  events: ActivityEvent[];
  /** more work for the same transaction (the transcript offset these events end at) */
  within?: (tx: Queryable) => Promise<unknown>;
}) {
  if (events.length === 0 && !within) return;
  await transaction(async (tx) => {
    // first: the events publish last (their NOTIFY holds the commit-order lock until the end)
    if (within) await within(tx);
    await recordSessionEvents(tx, { orgId, gatewayId, events });
  });
}

/** A sub-agent whose session is gone from the gateway's list has ended. */
export async function endMissingSubagents({ orgId, gatewayId, liveKeys, observedAt = null }: { orgId: string; gatewayId: string; liveKeys: string[]; observedAt?: Date | null }) {
  await transaction(async (tx) => {
    // Not one written after the list was asked for (spawned meanwhile). Its end is unknown: its last
    // activity is the best guess, and keeps it where it was in the list.
    const gone = await sql.endSubagentsNotListed(tx, { orgId, gatewayId, liveKeys, observedAt });
    const ends = gone.map((row) =>
      subagentEnd({
        source: "gateway", agentId: row.externalAgentId, sessionKey: row.sessionKey, at: row.endedAt.getTime(), removed: "no longer listed",
        ...(row.sessionId ? { sessionId: row.sessionId } : {}), ...(row.label ? { label: row.label } : {}),
      }),
    );
    if (ends.length > 0) await recordSessionEvents(tx, { orgId, gatewayId, events: ends, closedHere: true });
  });
}
