import { z } from "zod";
import type { SessionFacts } from "~/activity/session-row";
import { col, returnedRows, rowDecoder, type Queryable } from "~/db/rows";

/*
 * Every statement on `agent_sessions`. A session is one row per (org, gateway or none, session key):
 * the unique index is on `coalesce(gateway_id, NIL)`, so a legacy transcript's session (no gateway)
 * and a gateway's are told apart. Token counts are bigint columns read as float8 (exact to 2^53).
 */

const NIL = "00000000-0000-0000-0000-000000000000";
/** the session's (org, gateway, key) as the unique index sees it: $1 org, $2 gateway (or null), $3 key */
const SAME_KEY = `org_id = $1 and coalesce(gateway_id, '${NIL}'::uuid) = coalesce($2::uuid, '${NIL}'::uuid) and session_key = $3`;
const ON_KEY = `on conflict (org_id, coalesce(gateway_id, '${NIL}'::uuid), session_key)`;

const count = z.number().nullable();

const sessionRow = rowDecoder(
  "agent_sessions: view",
  z.object({
    id: col.uuid,
    gatewayId: col.uuid.nullable(),
    sessionKey: col.text,
    sessionId: col.text.nullable(),
    agentId: col.uuid.nullable(),
    agentName: col.text.nullable(),
    agentColor: col.text.nullable(),
    externalAgentId: col.text,
    type: col.text,
    label: col.text.nullable(),
    model: col.text.nullable(),
    parentSessionKey: col.text.nullable(),
    contextTokens: count,
    totalTokens: count,
    inputTokens: count,
    outputTokens: count,
    costUsd: count,
    status: col.text.nullable(),
    currentTool: col.text.nullable(),
    currentSummary: col.text.nullable(),
    lastMessage: col.text.nullable(),
    lastActivityAt: col.timestamp.nullable(),
    endedAt: col.timestamp.nullable(),
    usageInputTokens: count,
    usageOutputTokens: count,
    usageCacheReadTokens: count,
    usageTotalTokens: count,
    usageCostUsd: count,
    usageSince: col.text.nullable(),
    usageUpdatedAt: col.timestamp.nullable(),
  }),
);
export type AgentSessionRow = ReturnType<typeof sessionRow.one>;

const SELECT_VIEW = `select s.id, s.gateway_id as "gatewayId", s.session_key as "sessionKey", s.session_id as "sessionId",
    s.agent_id as "agentId", a.name as "agentName", a.avatar_color as "agentColor", s.external_agent_id as "externalAgentId",
    s.type, s.label, s.model, s.parent_session_key as "parentSessionKey",
    s.context_tokens::float8 as "contextTokens", s.total_tokens::float8 as "totalTokens", s.input_tokens::float8 as "inputTokens",
    s.output_tokens::float8 as "outputTokens", s.cost_usd as "costUsd", s.status, s.current_tool as "currentTool",
    s.current_summary as "currentSummary", s.last_message as "lastMessage", s.last_activity_at as "lastActivityAt", s.ended_at as "endedAt",
    s.usage_input_tokens::float8 as "usageInputTokens", s.usage_output_tokens::float8 as "usageOutputTokens",
    s.usage_cache_read_tokens::float8 as "usageCacheReadTokens", s.usage_total_tokens::float8 as "usageTotalTokens",
    s.usage_cost_usd as "usageCostUsd", to_char(s.usage_since, 'YYYY-MM-DD') as "usageSince", s.usage_updated_at as "usageUpdatedAt"
  from agent_sessions s left join agents a on a.id = s.agent_id`;

/** Newest activity first. `includeEnded` false leaves out sessions that have ended. */
export async function selectSessions(
  q: Queryable,
  {
    orgId,
    includeEnded,
    type,
    agent,
    limit,
  }: { orgId: string; includeEnded: boolean; type: string | null; agent: { gatewayId: string | null; externalAgentId: string } | null; limit: number },
): Promise<AgentSessionRow[]> {
  return sessionRow.all(
    await q.query(
      `${SELECT_VIEW} where s.org_id = $1 and ($2::boolean or s.ended_at is null)
         and ($3::text is null or s.type = $3)
         and ($4::text is null or (s.external_agent_id = $4 and coalesce(s.gateway_id, '${NIL}'::uuid) = coalesce($5::uuid, '${NIL}'::uuid)))
       order by s.last_activity_at desc nulls last limit $6`,
      [orgId, includeEnded, type, agent?.externalAgentId ?? null, agent?.gatewayId ?? null, limit],
    ),
  );
}

export async function findSession(q: Queryable, { orgId, id }: { orgId: string; id: string }): Promise<AgentSessionRow | null> {
  return sessionRow.first(await q.query(`${SELECT_VIEW} where s.org_id = $1 and s.id = $2`, [orgId, id]));
}

/** The session of one key on one gateway (or on none: a legacy transcript's). */
export async function findSessionByKey(q: Queryable, { orgId, gatewayId, sessionKey }: { orgId: string; gatewayId: string | null; sessionKey: string }): Promise<AgentSessionRow | null> {
  return sessionRow.first(
    await q.query(`${SELECT_VIEW} where s.org_id = $1 and coalesce(s.gateway_id, '${NIL}'::uuid) = coalesce($2::uuid, '${NIL}'::uuid) and s.session_key = $3`, [orgId, gatewayId, sessionKey]),
  );
}

/** The sessions a session spawned (on the same gateway), newest activity first. */
export async function selectChildSessions(
  q: Queryable,
  { orgId, gatewayId, parentSessionKey, limit }: { orgId: string; gatewayId: string | null; parentSessionKey: string; limit: number },
): Promise<AgentSessionRow[]> {
  return sessionRow.all(
    await q.query(
      `${SELECT_VIEW} where s.org_id = $1 and coalesce(s.gateway_id, '${NIL}'::uuid) = coalesce($2::uuid, '${NIL}'::uuid) and s.parent_session_key = $3
       order by s.last_activity_at desc nulls last limit $4`,
      [orgId, gatewayId, parentSessionKey, limit],
    ),
  );
}

const sessionAgentRow = rowDecoder("agent_sessions: agents", z.object({ gatewayId: col.uuid.nullable(), externalAgentId: col.text, name: col.text }));

/** The agents that have sessions, one per gateway (agents of one name on two gateways are two agents), by name. */
export async function selectSessionAgents(q: Queryable, orgId: string): Promise<Array<{ gatewayId: string | null; externalAgentId: string; name: string }>> {
  return sessionAgentRow.all(
    await q.query(
      `select s.gateway_id as "gatewayId", s.external_agent_id as "externalAgentId", coalesce(min(a.name), s.external_agent_id) as name
         from agent_sessions s left join agents a on a.id = s.agent_id
        where s.org_id = $1 group by s.gateway_id, s.external_agent_id order by 3, 1 nulls first`,
      [orgId],
    ),
  );
}

const upsertedRow = rowDecoder(
  "agent_sessions: upsert facts",
  z.object({ id: col.uuid, label: col.text.nullable(), endedAt: col.timestamp.nullable(), wasOpen: col.bool }),
);

/**
 * A gateway row's facts onto the session. Answers whether the session was open before (`wasOpen`),
 * and its label and end as stored. `observedAt`: when the rows were asked for; a row written after that (an
 * event handled meanwhile) keeps its status and end.
 */
export async function upsertSessionFacts(
  q: Queryable,
  { orgId, gatewayId, agentId, facts, observedAt }: { orgId: string; gatewayId: string | null; agentId: string | null; facts: SessionFacts; observedAt: Date | null },
) {
  return upsertedRow.one(
    await q.query(
      `with before as (select ended_at from agent_sessions where ${SAME_KEY})
       insert into agent_sessions (org_id, gateway_id, session_key, session_id, agent_id, external_agent_id, type, label, model, parent_session_key,
          context_tokens, total_tokens, input_tokens, output_tokens, cost_usd, status, last_activity_at, ended_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, to_timestamp($17 / 1000.0), to_timestamp($18 / 1000.0), now())
       ${ON_KEY} do update set
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
       returning id, label, ended_at as "endedAt", exists (select 1 from before where ended_at is null) as "wasOpen"`,
      [
        orgId, gatewayId, facts.sessionKey, facts.sessionId, agentId, facts.externalAgentId, facts.type, facts.label, facts.model,
        facts.parentSessionKey, facts.contextTokens, facts.totalTokens, facts.inputTokens, facts.outputTokens, facts.costUsd, facts.status,
        facts.lastActivityAt, facts.endedAt, observedAt,
      ],
    ),
  );
}

const idRow = rowDecoder("agent_sessions: id", z.object({ id: col.uuid }));

/**
 * One activity event onto its session (created if new): the current tool while a tool runs, the last
 * message, the last activity; a despawn ends it, a later run start reopens it. Answers the row's id.
 */
export async function upsertActivity(
  q: Queryable,
  row: {
    orgId: string; gatewayId: string | null; sessionKey: string; sessionId: string | null; agentId: string | null; externalAgentId: string;
    type: "subagent" | "other"; kind: string; tool: string | null; summary: string | null; message: string | null; at: Date;
  },
): Promise<string> {
  return idRow.one(
    await q.query(
      `insert into agent_sessions (org_id, gateway_id, session_key, session_id, agent_id, external_agent_id, type, parent_session_key, current_tool, current_summary, last_message, last_activity_at, ended_at)
       values ($1, $2, $3, $4, $5, $6, $7, null, $8, $9, $10, $11, null)
       ${ON_KEY} do update set
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
      [row.orgId, row.gatewayId, row.sessionKey, row.sessionId, row.agentId, row.externalAgentId, row.type, row.tool, row.summary, row.message, row.at, row.kind],
    ),
  ).id;
}

/** A spawned child's session, known from the spawn's result: a sub-agent of `parentSessionKey`. */
export async function upsertChildSession(
  q: Queryable,
  child: { orgId: string; gatewayId: string | null; sessionKey: string; externalAgentId: string; parentSessionKey: string; label: string | null; at: Date },
): Promise<void> {
  await q.query(
    `insert into agent_sessions (org_id, gateway_id, session_key, agent_id, external_agent_id, type, parent_session_key, label, last_activity_at)
     values ($1, $2, $3, null, $4, 'subagent', $5, $6, $7)
     ${ON_KEY} do update set parent_session_key = excluded.parent_session_key, type = 'subagent'`,
    [child.orgId, child.gatewayId, child.sessionKey, child.externalAgentId, child.parentSessionKey, child.label, child.at],
  );
}

export interface UsageSum {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

/** Adds model calls' usage to the session's (transcripts carry every call; their sum is the session's). */
export async function addSessionUsage(
  q: Queryable,
  { orgId, gatewayId, sessionKey, externalAgentId, type, sum }: { orgId: string; gatewayId: string | null; sessionKey: string; externalAgentId: string; type: "subagent" | "other"; sum: UsageSum },
): Promise<void> {
  await q.query(
    `insert into agent_sessions (org_id, gateway_id, session_key, external_agent_id, type,
        usage_input_tokens, usage_output_tokens, usage_cache_read_tokens, usage_total_tokens, usage_cost_usd, usage_updated_at)
     values ($1, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $6::bigint + $7::bigint + $8::bigint + $9::bigint, $10::float8, now())
     ${ON_KEY} do update set
       usage_input_tokens = coalesce(agent_sessions.usage_input_tokens, 0) + excluded.usage_input_tokens,
       usage_output_tokens = coalesce(agent_sessions.usage_output_tokens, 0) + excluded.usage_output_tokens,
       usage_cache_read_tokens = coalesce(agent_sessions.usage_cache_read_tokens, 0) + excluded.usage_cache_read_tokens,
       usage_total_tokens = coalesce(agent_sessions.usage_total_tokens, 0) + excluded.usage_total_tokens,
       usage_cost_usd = coalesce(agent_sessions.usage_cost_usd, 0) + excluded.usage_cost_usd,
       usage_updated_at = now()`,
    [orgId, gatewayId, sessionKey, externalAgentId, type, Math.round(sum.input), Math.round(sum.output), Math.round(sum.cacheRead), Math.round(sum.cacheWrite), sum.cost],
  );
}

const existsRow = rowDecoder("agent_sessions: ended", z.object({ ended: col.bool }));

export async function isSessionEnded(q: Queryable, { orgId, gatewayId, sessionKey }: { orgId: string; gatewayId: string | null; sessionKey: string }): Promise<boolean> {
  return existsRow.one(await q.query(`select exists (select 1 from agent_sessions where ${SAME_KEY} and ended_at is not null) as ended`, [orgId, gatewayId, sessionKey])).ended;
}

export interface SessionUsageRow {
  sessionKey: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  costUsd: number;
}

/** A gateway's per-session usage onto its rows; only rows whose figures changed are written (their ids answered). */
export async function updateSessionUsage(
  q: Queryable,
  { orgId, gatewayId, since, rows }: { orgId: string; gatewayId: string; since: string | null; rows: SessionUsageRow[] },
): Promise<string[]> {
  const result = await q.query(
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
  return idRow.all(returnedRows(result)).map((row) => row.id);
}

const endedRow = rowDecoder(
  "agent_sessions: end unlisted sub-agents",
  z.object({ sessionKey: col.text, externalAgentId: col.text, sessionId: col.text.nullable(), label: col.text.nullable(), endedAt: col.timestamp }),
);

/**
 * Ends the gateway's open sub-agents not among `liveKeys`, at their last activity (their real end is
 * unknown), except rows written after `observedAt` (spawned while the list was on its way).
 */
export async function endSubagentsNotListed(
  q: Queryable,
  { orgId, gatewayId, liveKeys, observedAt }: { orgId: string; gatewayId: string; liveKeys: string[]; observedAt: Date | null },
) {
  const result = await q.query(
    `update agent_sessions set ended_at = coalesce(last_activity_at, now()), updated_at = now()
      where org_id = $1 and gateway_id = $2 and type = 'subagent' and ended_at is null and not (session_key = any($3::text[]))
        and ($4::timestamptz is null or updated_at <= $4::timestamptz)
      returning session_key as "sessionKey", external_agent_id as "externalAgentId", session_id as "sessionId", label, ended_at as "endedAt"`,
    [orgId, gatewayId, liveKeys, observedAt],
  );
  return endedRow.all(returnedRows(result));
}
