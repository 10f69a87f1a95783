import type { EntityManager } from "typeorm";
import { changedRows, db, transaction } from "~/db/data-source.server";
import { subagentEnd, type ActivityEvent } from "~/activity/normalize";
import { contextPercent, type SessionFacts } from "~/activity/session-row";
import { publish } from "~/realtime/publish.server";
import { recordActivity } from "./activity.server";
import { topic } from "~/lib/topics";

/*
 * Agent sessions as the sessions page shows them: rows from the gateway (or legacy sessions.json)
 * merged with what the activity stream says (current tool, last message, last activity).
 */

const NIL = "00000000-0000-0000-0000-000000000000";

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

export interface SessionUsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  costUsd: number;
  /** YYYY-MM-DD, first day the gateway counted */
  since: string | null;
}

const n = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const ms = (value: unknown) => (value ? new Date(value as string).getTime() : null);

function rowToView(row: Record<string, unknown>): AgentSessionView {
  return {
    id: row.id as string,
    gatewayId: (row.gateway_id as string | null) ?? null,
    sessionKey: row.session_key as string,
    sessionId: (row.session_id as string | null) ?? null,
    agentId: (row.agent_id as string | null) ?? null,
    agentName: (row.agent_name as string | null) ?? null,
    agentColor: (row.agent_color as string | null) ?? null,
    externalAgentId: row.external_agent_id as string,
    type: row.type as string,
    label: (row.label as string | null) ?? null,
    model: (row.model as string | null) ?? null,
    parentSessionKey: (row.parent_session_key as string | null) ?? null,
    contextTokens: n(row.context_tokens),
    totalTokens: n(row.total_tokens),
    contextPercent: contextPercent(n(row.total_tokens), n(row.context_tokens)),
    inputTokens: n(row.input_tokens),
    outputTokens: n(row.output_tokens),
    costUsd: n(row.cost_usd),
    status: (row.status as string | null) ?? null,
    currentTool: (row.current_tool as string | null) ?? null,
    currentSummary: (row.current_summary as string | null) ?? null,
    lastMessage: (row.last_message as string | null) ?? null,
    lastActivityAt: ms(row.last_activity_at),
    endedAt: ms(row.ended_at),
    usage:
      row.usage_updated_at === null || row.usage_updated_at === undefined
        ? null
        : {
            inputTokens: n(row.usage_input_tokens) ?? 0,
            outputTokens: n(row.usage_output_tokens) ?? 0,
            cacheReadTokens: n(row.usage_cache_read_tokens) ?? 0,
            totalTokens: n(row.usage_total_tokens) ?? 0,
            costUsd: n(row.usage_cost_usd) ?? 0,
            since: typeof row.usage_since === "string" ? row.usage_since : null,
          },
  };
}

const SELECT = `select s.*, to_char(s.usage_since, 'YYYY-MM-DD') as usage_since, a.name as agent_name, a.avatar_color as agent_color
  from agent_sessions s left join agents a on a.id = s.agent_id`;

export async function listAgentSessions(
  orgId: string,
  { includeEnded = true, type, agent }: { includeEnded?: boolean; type?: string; agent?: string } = {},
): Promise<AgentSessionView[]> {
  const rows: Array<Record<string, unknown>> = await db().query(
    `${SELECT} where s.org_id = $1 ${includeEnded ? "" : "and s.ended_at is null"}
       and ($2::text is null or s.type = $2) and ($3::text is null or s.external_agent_id = $3)
     order by s.last_activity_at desc nulls last limit 500`,
    [orgId, type ?? null, agent ?? null],
  );
  return rows.map(rowToView);
}

/** The agents that have sessions (by the gateway's agent id), for the sessions page's filter. */
export async function listSessionAgents(orgId: string): Promise<Array<{ id: string; name: string }>> {
  const rows: Array<{ id: string; name: string }> = await db().query(
    `select s.external_agent_id as id, coalesce(min(a.name), s.external_agent_id) as name
       from agent_sessions s left join agents a on a.id = s.agent_id
      where s.org_id = $1 group by s.external_agent_id order by 2`,
    [orgId],
  );
  return rows;
}

export async function getAgentSession({ orgId, id }: { orgId: string; id: string }): Promise<AgentSessionView | null> {
  const rows: Array<Record<string, unknown>> = await db().query(`${SELECT} where s.org_id = $1 and s.id = $2`, [orgId, id]);
  return rows[0] ? rowToView(rows[0]) : null;
}

/*
 * Agent activity arrives many times a second for the same few agents: remember who they are for a
 * few seconds rather than asking the database on every record.
 */
const AGENT_CACHE_MS = 5_000;
const agentCache = new Map<string, { agent: { id: string; name: string } | null; until: number }>();

async function agentIdFor(manager: EntityManager, orgId: string, gatewayId: string | null, externalId: string): Promise<{ id: string; name: string } | null> {
  const key = `${orgId}|${gatewayId ?? ""}|${externalId}`;
  const cached = agentCache.get(key);
  if (cached && cached.until > Date.now() && cached.agent) return cached.agent;
  const agent = await lookupAgent(manager, orgId, gatewayId, externalId);
  agentCache.set(key, { agent, until: Date.now() + AGENT_CACHE_MS });
  return agent;
}

async function lookupAgent(manager: EntityManager, orgId: string, gatewayId: string | null, externalId: string): Promise<{ id: string; name: string } | null> {
  const rows: Array<{ id: string; name: string }> = gatewayId
    ? await manager.query("select id, name from agents where org_id = $1 and gateway_id = $2 and external_id = $3", [orgId, gatewayId, externalId])
    : await manager.query("select id, name from agents where org_id = $1 and source = 'gateway' and external_id = $2 limit 1", [orgId, externalId]);
  return rows[0] ?? null;
}

/**
 * Returns the session row's id, and whether this row closed a session that was open until now (a
 * sub-agent that ended while nobody listened: it still gets its "finished" line). Callers hold the
 * gateway's handling order (see the gateway runtime), so "open until now" cannot race an event.
 */
async function upsertFacts(
  manager: EntityManager,
  orgId: string,
  gatewayId: string | null,
  facts: SessionFacts,
  observedAt: Date | null,
): Promise<{ id: string; closed: boolean; endedAt: number | null }> {
  const agent = await agentIdFor(manager, orgId, gatewayId, facts.externalAgentId);
  const rows: Array<{ id: string; was_open: boolean; ended_at: Date | null }> = await manager.query(
    `with before as (
       select ended_at from agent_sessions
        where org_id = $1 and coalesce(gateway_id, '${NIL}'::uuid) = coalesce($2::uuid, '${NIL}'::uuid) and session_key = $3
     )
     insert into agent_sessions (org_id, gateway_id, session_key, session_id, agent_id, external_agent_id, type, label, model, parent_session_key,
        context_tokens, total_tokens, input_tokens, output_tokens, cost_usd, status, last_activity_at, ended_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, to_timestamp($17 / 1000.0), to_timestamp($18 / 1000.0), now())
     on conflict (org_id, coalesce(gateway_id, '${NIL}'::uuid), session_key) do update set
       session_id = coalesce(excluded.session_id, agent_sessions.session_id),
       agent_id = coalesce(excluded.agent_id, agent_sessions.agent_id),
       type = excluded.type,
       label = coalesce(excluded.label, agent_sessions.label),
       model = coalesce(excluded.model, agent_sessions.model),
       parent_session_key = coalesce(excluded.parent_session_key, agent_sessions.parent_session_key),
       context_tokens = coalesce(excluded.context_tokens, agent_sessions.context_tokens),
       total_tokens = coalesce(excluded.total_tokens, agent_sessions.total_tokens),
       input_tokens = coalesce(excluded.input_tokens, agent_sessions.input_tokens),
       output_tokens = coalesce(excluded.output_tokens, agent_sessions.output_tokens),
       cost_usd = coalesce(excluded.cost_usd, agent_sessions.cost_usd),
       -- a row last written after this list was asked for (by an event handled meanwhile) is newer
       -- than the list: its status and end stay
       status = case when agent_sessions.updated_at > $19::timestamptz then agent_sessions.status else coalesce(excluded.status, agent_sessions.status) end,
       last_activity_at = greatest(excluded.last_activity_at, agent_sessions.last_activity_at),
       -- a row that states its status also states whether it has ended (a persistent sub-agent reopens)
       ended_at = case when agent_sessions.updated_at > $19::timestamptz then agent_sessions.ended_at
                       when excluded.status is not null then excluded.ended_at else agent_sessions.ended_at end,
       updated_at = now()
     returning id, ended_at, exists (select 1 from before where ended_at is null) as was_open`,
    [
      orgId, gatewayId, facts.sessionKey, facts.sessionId, agent?.id ?? null, facts.externalAgentId, facts.type, facts.label, facts.model,
      facts.parentSessionKey, facts.contextTokens, facts.totalTokens, facts.inputTokens, facts.outputTokens, facts.costUsd, facts.status,
      facts.lastActivityAt, facts.endedAt, observedAt,
    ],
  );
  const row = rows[0]!;
  // the row's own end time, as stored (never the time we happened to read it)
  return { id: row.id, closed: facts.type === "subagent" && row.was_open && row.ended_at !== null, endedAt: row.ended_at ? row.ended_at.getTime() : null };
}

/** The live topic of one session row: its page follows it instead of every session of the org. */
export const sessionTopic = topic.agentSession;
/** A batch of rows names each session's topic up to this many; a bigger one (a first subscribe) only "sessions". */
const SESSION_TOPICS_PER_BATCH = 50;
const batchTopics = (ids: string[]) => [topic.sessions, ...(ids.length <= SESSION_TOPICS_PER_BATCH ? ids.map(sessionTopic) : [])];

/** Gateway rows (poll or sessions.changed) into the table; one live event for the whole batch. */
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
  await transaction(async (manager) => {
    const ids: string[] = [];
    const ends: ActivityEvent[] = [];
    for (const facts of sessions) {
      const { id, closed, endedAt } = await upsertFacts(manager, orgId, gatewayId, facts, observedAt);
      ids.push(id);
      if (closed && endedAt !== null) {
        ends.push(subagentEnd({
          source: gatewayId ? "gateway" : "transcript", agentId: facts.externalAgentId, sessionKey: facts.sessionKey,
          ...(facts.sessionId ? { sessionId: facts.sessionId } : {}), at: endedAt,
          ...(facts.status ? { status: facts.status } : {}), ...(facts.label ? { label: facts.label } : {}),
        }));
      }
    }
    // the rows above already closed these sessions: their ends are recorded as they are
    if (ends.length > 0) await recordEvents(manager, orgId, gatewayId, ends, { closedHere: true });
    const topics = batchTopics(ids);
    await publish(manager, { orgId, type: "sessions.changed", topics, data: { count: sessions.length, keys: sessions.slice(0, 20).map((s) => s.sessionKey) } });
  });
}

export interface SessionUsageRow {
  sessionKey: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  costUsd: number;
}

/**
 * A gateway's per-session usage (sessions.usage) onto its session rows. Only rows whose figures
 * changed are written and announced, so a quiet gateway's poll publishes nothing here.
 */
export async function storeSessionUsage({ orgId, gatewayId, since, rows }: { orgId: string; gatewayId: string; since: string | null; rows: SessionUsageRow[] }) {
  if (rows.length === 0) return;
  await transaction(async (manager) => {
    const changed = await changedRows<{ id: string }>(
      manager,
      `update agent_sessions s set
         usage_input_tokens = u.input, usage_output_tokens = u.output, usage_cache_read_tokens = u.cache_read,
         usage_total_tokens = u.total, usage_cost_usd = u.cost, usage_since = $3::date, usage_updated_at = now()
       from unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::float8[]) as u(session_key, input, output, cache_read, total, cost)
       where s.org_id = $1 and s.gateway_id = $2 and s.session_key = u.session_key
         and (s.usage_updated_at is null
           or (s.usage_input_tokens, s.usage_output_tokens, s.usage_cache_read_tokens, s.usage_total_tokens, s.usage_cost_usd, s.usage_since)
              is distinct from (u.input, u.output, u.cache_read, u.total, u.cost, $3::date))
       returning s.id`,
      [
        orgId, gatewayId, since,
        rows.map((r) => r.sessionKey), rows.map((r) => Math.round(r.inputTokens)), rows.map((r) => Math.round(r.outputTokens)),
        rows.map((r) => Math.round(r.cacheReadTokens)), rows.map((r) => Math.round(r.totalTokens)), rows.map((r) => r.costUsd),
      ],
    );
    if (changed.length === 0) return;
    const topics = batchTopics(changed.map((row) => row.id));
    await publish(manager, { orgId, type: "sessions.changed", topics, data: { count: changed.length, reason: "usage" } });
  });
}

/** The activity line a person reads: "main → exec: npm test", "main finished a run". */
export function describeActivity(event: ActivityEvent, agentName: string): string {
  const clip = (text: string | undefined, max = 140) => (text && text.length > max ? text.slice(0, max - 1) + "…" : (text ?? ""));
  switch (event.kind) {
    case "run_start":
      return `${agentName} started working`;
    case "run_end":
      return event.isError ? `${agentName}'s run failed${event.text ? `: ${clip(event.text)}` : ""}` : `${agentName} finished a run`;
    case "tool_start":
      return `${agentName} → ${event.tool ?? "tool"}${event.summary ? `: ${clip(event.summary)}` : ""}`;
    case "tool_end":
      return `${agentName} ${event.isError ? "failed" : "finished"} ${event.tool ?? "a tool"}`;
    case "message":
      return `${agentName}: ${clip(event.text)}`;
    case "user_message":
      return `To ${agentName}: ${clip(event.text)}`;
    case "thinking":
      return `${agentName} is thinking`;
    case "spawn":
      return `${agentName} spawned a sub-agent${event.child?.label || event.child?.task ? `: ${clip(event.child.label ?? event.child.task)}` : ""}`;
    case "despawn":
      return `${event.isError ? "Sub-agent stopped" : "Sub-agent finished"}${event.child?.label ? `: ${clip(event.child.label)}` : ""} (${agentName})`;
    case "error":
      return `${agentName} hit an error${event.text ? `: ${clip(event.text)}` : ""}`;
    default:
      return `${agentName}: ${event.kind}`;
  }
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
  within?: (manager: EntityManager) => Promise<unknown>;
}) {
  if (events.length === 0 && !within) return;
  await transaction(async (manager) => {
    // first: the events publish last (their NOTIFY holds the commit-order lock until the end)
    if (within) await within(manager);
    await recordEvents(manager, orgId, gatewayId, events);
  });
}

/**
 * `closedHere`: the caller has just closed these sessions itself (their ends), so a despawn is not
 * skipped for a session that is already ended.
 */
async function recordEvents(manager: EntityManager, orgId: string, gatewayId: string | null, events: ActivityEvent[], { closedHere = false } = {}) {
  const agents = new Map<string, { id: string; name: string } | null>();
  const spent = new Map<string, { agentId: string; input: number; output: number; cacheRead: number; cacheWrite: number; cost: number }>();
  for (const event of events) {
    // A transcript holds every model call with its usage: their sum is the session's usage. (A
    // gateway's session usage comes whole from sessions.usage instead.)
    if (event.usage && event.source === "transcript") {
      const sum = spent.get(event.sessionKey) ?? { agentId: event.agentId, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
      sum.input += event.usage.input ?? 0;
      sum.output += event.usage.output ?? 0;
      sum.cacheRead += event.usage.cacheRead ?? 0;
      sum.cacheWrite += event.usage.cacheWrite ?? 0;
      sum.cost += event.usage.cost ?? 0;
      spent.set(event.sessionKey, sum);
    }
    // An assistant turn that only calls a tool arrives as a text-less message carrying its usage:
    // the tool events tell that story, a blank "main:" line would not.
    if (event.kind === "message" && !event.text?.trim()) continue;
    // The gateway says a sub-agent is done in every row it sends after its end: one despawn per end.
    if (event.kind === "despawn" && !closedHere && (await isEnded(manager, orgId, gatewayId, event.sessionKey))) continue;
    if (!agents.has(event.agentId)) agents.set(event.agentId, await agentIdFor(manager, orgId, gatewayId, event.agentId));
    const agent = agents.get(event.agentId) ?? null;
    const at = new Date(event.at);
    const tool = event.kind === "tool_start" ? (event.tool ?? null) : null;
    const [row] = (await manager.query(
      `insert into agent_sessions (org_id, gateway_id, session_key, session_id, agent_id, external_agent_id, type, parent_session_key, current_tool, current_summary, last_message, last_activity_at, ended_at)
       values ($1, $2, $3, $4, $5, $6, $7, null, $8, $9, $10, $11, null)
       on conflict (org_id, coalesce(gateway_id, '${NIL}'::uuid), session_key) do update set
         session_id = coalesce(agent_sessions.session_id, excluded.session_id),
         agent_id = coalesce(agent_sessions.agent_id, excluded.agent_id),
         current_tool = case when $12 in ('tool_start') then excluded.current_tool when $12 in ('tool_end', 'run_end', 'message') then null else agent_sessions.current_tool end,
         current_summary = case when $12 = 'tool_start' then excluded.current_summary when $12 in ('tool_end', 'run_end') then null else agent_sessions.current_summary end,
         last_message = coalesce(excluded.last_message, agent_sessions.last_message),
         last_activity_at = greatest(agent_sessions.last_activity_at, excluded.last_activity_at),
         ended_at = case when $12 = 'despawn' then excluded.last_activity_at
                         when $12 = 'run_start' and excluded.last_activity_at > agent_sessions.ended_at then null
                         else agent_sessions.ended_at end,
         updated_at = now()
       returning id`,
      [
        orgId, gatewayId, event.sessionKey, event.sessionId ?? null, agent?.id ?? null, event.agentId,
        /:subagent:/.test(event.sessionKey) ? "subagent" : "other",
        tool, event.kind === "tool_start" ? (event.summary ?? null) : null,
        event.kind === "message" ? (event.text ?? null) : null, at, event.kind,
      ],
    )) as Array<{ id: string }>;
    // The child's key is known only from the sessions_spawn result (its tool_end).
    if ((event.kind === "tool_end" || event.kind === "spawn") && event.child?.sessionKey) {
      await manager.query(
        `insert into agent_sessions (org_id, gateway_id, session_key, agent_id, external_agent_id, type, parent_session_key, label, last_activity_at)
         values ($1, $2, $3, null, $4, 'subagent', $5, $6, $7)
         on conflict (org_id, coalesce(gateway_id, '${NIL}'::uuid), session_key) do update set parent_session_key = excluded.parent_session_key, type = 'subagent'`,
        [orgId, gatewayId, event.child.sessionKey, event.child.agentId ?? event.agentId, event.sessionKey, event.child.label ?? event.child.task ?? null, at],
      );
    }
    await recordActivity(manager, {
      orgId,
      type: `agent.${event.kind}`,
      message: describeActivity(event, agent?.name ?? event.agentId),
      actor: { type: "agent", id: agent?.id ?? null, name: agent?.name ?? event.agentId },
      agentId: agent?.id ?? null,
      at,
      topics: [topic.sessions, topic.office, sessionTopic(row!.id)],
      data: {
        sessionKey: event.sessionKey,
        ...(gatewayId ? { gatewayId } : {}),
        kind: event.kind,
        ...(event.tool ? { tool: event.tool } : {}),
        ...(event.toolCallId ? { toolCallId: event.toolCallId } : {}),
        ...(event.summary ? { summary: event.summary } : {}),
        ...(event.text ? { text: event.text } : {}),
        ...(event.child ? { child: event.child } : {}),
        ...(event.isError ? { isError: true } : {}),
        source: event.source,
      },
    });
  }
  for (const [sessionKey, sum] of spent) await addTranscriptUsage(manager, orgId, gatewayId, sessionKey, sum);
}

async function addTranscriptUsage(
  manager: EntityManager,
  orgId: string,
  gatewayId: string | null,
  sessionKey: string,
  sum: { agentId: string; input: number; output: number; cacheRead: number; cacheWrite: number; cost: number },
) {
  await manager.query(
    `insert into agent_sessions (org_id, gateway_id, session_key, external_agent_id, type,
        usage_input_tokens, usage_output_tokens, usage_cache_read_tokens, usage_total_tokens, usage_cost_usd, usage_updated_at)
     values ($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $6::bigint + $7::bigint + $8::bigint + $9::bigint, $10::float8, now())
     on conflict (org_id, coalesce(gateway_id, '${NIL}'::uuid), session_key) do update set
       usage_input_tokens = coalesce(agent_sessions.usage_input_tokens, 0) + excluded.usage_input_tokens,
       usage_output_tokens = coalesce(agent_sessions.usage_output_tokens, 0) + excluded.usage_output_tokens,
       usage_cache_read_tokens = coalesce(agent_sessions.usage_cache_read_tokens, 0) + excluded.usage_cache_read_tokens,
       usage_total_tokens = coalesce(agent_sessions.usage_total_tokens, 0) + excluded.usage_total_tokens,
       usage_cost_usd = coalesce(agent_sessions.usage_cost_usd, 0) + excluded.usage_cost_usd,
       usage_updated_at = now()`,
    [
      orgId, gatewayId, sessionKey, sum.agentId, /:subagent:/.test(sessionKey) ? "subagent" : "other",
      Math.round(sum.input), Math.round(sum.output), Math.round(sum.cacheRead), Math.round(sum.cacheWrite), sum.cost,
    ],
  );
}

async function isEnded(manager: EntityManager, orgId: string, gatewayId: string | null, sessionKey: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `select 1 from agent_sessions where org_id = $1 and coalesce(gateway_id, '${NIL}'::uuid) = coalesce($2::uuid, '${NIL}'::uuid) and session_key = $3 and ended_at is not null`,
    [orgId, gatewayId, sessionKey],
  );
  return rows.length > 0;
}

/** A sub-agent whose session is gone from the gateway's list has ended. */
export async function endMissingSubagents({ orgId, gatewayId, liveKeys, observedAt = null }: { orgId: string; gatewayId: string; liveKeys: string[]; observedAt?: Date | null }) {
  await transaction(async (manager) => {
    // Not one written after the list was asked for (spawned meanwhile). Its end is unknown: its last
    // activity is the best guess, and keeps it where it was in the list.
    const gone = await changedRows<{ session_key: string; external_agent_id: string; session_id: string | null; label: string | null; ended_at: Date }>(
      manager,
      `update agent_sessions set ended_at = coalesce(last_activity_at, now()), updated_at = now()
        where org_id = $1 and gateway_id = $2 and type = 'subagent' and ended_at is null and not (session_key = any($3::text[]))
          and ($4::timestamptz is null or updated_at <= $4::timestamptz)
        returning session_key, external_agent_id, session_id, label, ended_at`,
      [orgId, gatewayId, liveKeys, observedAt],
    );
    const ends = gone.map((row) =>
      subagentEnd({
        source: "gateway", agentId: row.external_agent_id, sessionKey: row.session_key, at: row.ended_at.getTime(), removed: "no longer listed",
        ...(row.session_id ? { sessionId: row.session_id } : {}), ...(row.label ? { label: row.label } : {}),
      }),
    );
    if (ends.length > 0) await recordEvents(manager, orgId, gatewayId, ends, { closedHere: true });
  });
}
